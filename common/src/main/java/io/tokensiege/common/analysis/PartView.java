package io.tokensiege.common.analysis;

import io.tokensiege.common.metric.RequestRecord;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One part of a mixed step (or its probe), from its measured requests: how many, how many failed, and its TTFT,
 * end-to-end and decode figures (exact sample quantiles of the records, in the target's own time).
 */
public record PartView(int requests, int errors, Double ttftP50Ms, Double ttftP95Ms, Double e2eP50Ms, Double decodeP50TokS) {

    /** Per part name, in first-seen order; empty when the step is not mixed. */
    static Map<String, PartView> of(List<RequestRecord> measured, double timeScale) {
        Map<String, List<RequestRecord>> byPart = new LinkedHashMap<>();
        for (RequestRecord r : measured) if (r.origin().part() != null && !r.outcome().cancelled()) byPart.computeIfAbsent(r.origin().part(), k -> new java.util.ArrayList<>()).add(r);
        Map<String, PartView> out = new LinkedHashMap<>();
        byPart.forEach((name, rs) -> {
            List<RequestRecord> ok = rs.stream().filter(RequestRecord::ok).toList();
            double ms = timeScale / 1000.0;
            double[] ttft = ok.stream().map(rec -> rec.times().ttftMicros()).filter(Objects::nonNull).mapToDouble(v -> v * ms).sorted().toArray();
            double[] e2e = ok.stream().map(rec -> rec.times().e2eMicros()).filter(Objects::nonNull).mapToDouble(v -> v * ms).sorted().toArray();
            double[] decode = ok.stream().map(rec -> rec.times().decodeRateTokS()).filter(Objects::nonNull).mapToDouble(v -> v / timeScale).sorted().toArray();
            out.put(name, new PartView(rs.size(), rs.size() - ok.size(), q(ttft, 0.5), q(ttft, 0.95), q(e2e, 0.5), q(decode, 0.5)));
        });
        return out;
    }

    private static Double q(double[] sorted, double p) {
        return sorted.length == 0 ? null : Fairness.quantile(Arrays.copyOf(sorted, sorted.length), p);
    }
}
