package io.tokensiege.common.plan;

import com.fasterxml.jackson.annotation.JsonIgnore;

/** Service-level thresholds; any may be absent. A request missing any threshold is not "good". */
public record Slo(Long ttftP50Millis, Long ttftP95Millis, Double decodeP50TokS, Double errorRate) {
    public static final Slo NONE = new Slo(null, null, null, null);

    @JsonIgnore
    public boolean isEmpty() {
        return ttftP50Millis == null && ttftP95Millis == null && decodeP50TokS == null && errorRate == null;
    }
}
