package io.tokensiege.common.analysis;

import io.tokensiege.common.metric.ErrorClass;
import io.tokensiege.common.metric.RequestRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Why a step's requests failed, grouped: class, the server's short reason, and how many. */
public record ErrorReason(String errorClass, String reason, int count) {
    static final int KEPT = 3;

    /** The most frequent reasons among failed measured requests, at most {@value #KEPT}. */
    static List<ErrorReason> top(List<RequestRecord> records) {
        Map<List<String>, Integer> counts = new LinkedHashMap<>();
        for (RequestRecord r : records) {
            if (r.outcome().error() == null || r.outcome().cancelled()) continue;
            counts.merge(List.of(r.outcome().error(), r.outcome().errorReason() == null ? "" : r.outcome().errorReason()), 1, Integer::sum);
        }
        List<ErrorReason> out = new ArrayList<>();
        counts.forEach((k, n) -> out.add(new ErrorReason(k.get(0), k.get(1), n)));
        out.sort(Comparator.comparingInt(ErrorReason::count).reversed());
        return out.size() > KEPT ? List.copyOf(out.subList(0, KEPT)) : out;
    }

    /** The server's reason, or when it gave none (a timeout, a broken stream) what the class means, in parentheses. */
    public String explanation() {
        if (reason != null && !reason.isEmpty()) return reason;
        for (ErrorClass c : ErrorClass.values()) if (c.key().equals(errorClass)) return "(" + c.meaning() + ")";
        return "";
    }

    /** e.g. "5 http_4xx exceed_context_size (7,868 > 4,096 tokens)". */
    public String describe() {
        return count + " " + errorClass + (reason == null || reason.isEmpty() ? "" : " " + reason);
    }
}
