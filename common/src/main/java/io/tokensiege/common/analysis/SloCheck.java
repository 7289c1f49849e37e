package io.tokensiege.common.analysis;

import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.plan.Slo;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates a plan's SLO on a step (its percentiles and error rate) and per request (goodput: the
 * share of requests meeting every per-request threshold; errors count as misses).
 */
public final class SloCheck {
    private SloCheck() {}

    /** The SLO thresholds a step breaks, in words; empty = it meets the SLO. */
    public static List<String> breaches(StepResult r, Slo slo) {
        List<String> out = new ArrayList<>();
        if (slo == null || slo.isEmpty()) return out;
        Percentiles ttft = r.userTtftMs();
        String from = r.open() != null ? " (from intended start)" : "";
        if (slo.ttftP50Millis() != null && !(ttft.p50() <= slo.ttftP50Millis())) {
            out.add(String.format("TTFT p50 %s > %s%s", ms(ttft.p50()), ms(slo.ttftP50Millis()), from));
        }
        if (slo.ttftP95Millis() != null && !(ttft.p95() <= slo.ttftP95Millis())) {
            out.add(String.format("TTFT p95 %s > %s%s", ms(ttft.p95()), ms(slo.ttftP95Millis()), from));
        }
        if (slo.decodeP50TokS() != null && !(r.decodeTokS().p50() >= slo.decodeP50TokS())) {
            out.add(String.format("decode p50 %.1f < %.0f tok/s", r.decodeTokS().p50(), slo.decodeP50TokS()));
        }
        if (slo.errorRate() != null && r.errorRate() > slo.errorRate()) {
            out.add(String.format("errors %.1f%% > %.1f%%", 100 * r.errorRate(), 100 * slo.errorRate()));
        }
        return out;
    }

    /** Share of requests that met every per-request threshold (TTFT, decode rate); null without an SLO. */
    public static Double goodput(List<RequestRecord> records, Slo slo, double timeScale) {
        if (slo == null || slo.isEmpty() || records.isEmpty()) return null;
        long good = 0;
        long all = 0;
        for (RequestRecord r : records) {
            if (r.cancelled()) continue;
            all++;
            if (!r.ok() || r.ttftIntendedMicros() == null) continue;
            double ttftMs = r.ttftIntendedMicros() * timeScale / 1000; // = ttft in closed loop, where intended = send
            Long ttftLimit = slo.ttftP95Millis() != null ? slo.ttftP95Millis() : slo.ttftP50Millis();
            if (ttftLimit != null && ttftMs > ttftLimit) continue;
            if (slo.decodeP50TokS() != null && (r.decodeRateTokS() == null || r.decodeRateTokS() / timeScale < slo.decodeP50TokS())) continue;
            good++;
        }
        return all == 0 ? null : (double) good / all;
    }

    static String ms(double v) {
        return v >= 1000 ? String.format("%.1f s", v / 1000) : String.format("%.0f ms", v);
    }
}
