package io.tokensiege.common.analysis;

import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.plan.Slo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Evaluates a plan's SLO on a step (its percentiles and error rate) and per request (goodput: the
 * share of requests meeting every per-request threshold; errors count as misses).
 */
public final class SloCheck {
    private SloCheck() {}

    /**
     * The SLO thresholds a step breaks, in words; empty = it meets the SLO. A step that cannot be judged (see
     * {@link #unjudged}) breaks the SLO for that reason alone: its percentiles are empty or cover only part of the load.
     */
    public static List<String> breaches(StepResult r, Slo slo) {
        List<String> out = new ArrayList<>();
        if (slo == null || slo.isEmpty()) return out;
        Optional<String> unjudged = unjudged(r);
        if (unjudged.isPresent()) return List.of(unjudged.get());
        Percentiles ttft = r.userTtftMs();
        String from = r.open() != null ? " (from intended start)" : "";
        if (slo.ttftP50Millis() != null && !(ttft.p50() <= slo.ttftP50Millis())) {
            out.add(String.format("TTFT p50 %s > %s%s", ms(ttft.p50(), slo.ttftP50Millis()), ms(slo.ttftP50Millis()), from));
        }
        if (slo.ttftP95Millis() != null && !(ttft.p95() <= slo.ttftP95Millis())) {
            out.add(String.format("TTFT p95 %s > %s%s", ms(ttft.p95(), slo.ttftP95Millis()), ms(slo.ttftP95Millis()), from));
        }
        if (slo.decodeP50TokS() != null && !(r.dist().decodeTokS().p50() >= slo.decodeP50TokS())) {
            double limit = slo.decodeP50TokS();
            out.add(String.format(Locale.ROOT, "decode p50 %s < %s tok/s", tokS(r.dist().decodeTokS().p50(), limit), plain(limit)));
        }
        if (slo.errorRate() != null && r.outcome().errorRate() > slo.errorRate()) {
            out.add(String.format(Locale.ROOT, "errors %.1f%% > %.1f%%", 100 * r.outcome().errorRate(), 100 * slo.errorRate()));
        }
        return out;
    }

    /**
     * Why a step can meet no SLO whatever its thresholds: it has no successful request (so nothing was measured
     * that an SLO could accept), or it is partial (a lost worker, an abort or a timeout cut its load short). Empty
     * when the step can be judged.
     */
    public static Optional<String> unjudged(StepResult r) {
        if (r.outcome().ok() == 0) {
            String why = r.failureSummary();
            return Optional.of("no successful requests" + (why == null ? "" : " (" + why + ")"));
        }
        if (r.checks().partial()) return Optional.of("partial step (" + r.checks().partialReason() + ")");
        return Optional.empty();
    }

    /** Share of requests that met every per-request threshold (TTFT, decode rate); null without an SLO. */
    public static Double goodput(List<RequestRecord> records, Slo slo, double timeScale) {
        if (slo == null || slo.isEmpty() || records.isEmpty()) return null;
        long good = 0;
        long all = 0;
        for (RequestRecord r : records) {
            if (r.outcome().cancelled()) continue;
            all++;
            if (!r.ok() || r.times().ttftIntendedMicros() == null) continue;
            double ttftMs = r.times().ttftIntendedMicros() * timeScale / 1000; // = ttft in closed loop, where intended = send
            Long ttftLimit = slo.ttftP95Millis() != null ? slo.ttftP95Millis() : slo.ttftP50Millis();
            if (ttftLimit != null && ttftMs > ttftLimit) continue;
            // A one-token answer has no decode phase (its rate is n/a, as in the percentiles): nothing to miss there. Longer answers
            // without a rate (every token in one read: a buffering proxy) miss it.
            Double decode = r.times().decodeRateTokS();
            if (slo.decodeP50TokS() != null && (decode == null ? r.tokens().outputTokens() >= 2 : decode / timeScale < slo.decodeP50TokS())) continue;
            good++;
        }
        return all == 0 ? null : (double) good / all;
    }

    /** A duration for a sentence: "850 ms", "2.4 s", or "n/a" when there is no value (never "NaN ms"). */
    static String ms(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) return "n/a";
        return v >= 1000 ? String.format(Locale.ROOT, "%.1f s", v / 1000) : String.format(Locale.ROOT, "%.0f ms", v);
    }

    static String tokS(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "n/a" : String.format(Locale.ROOT, "%.1f", v);
    }

    /** A value that broke {@code limit}, with more digits where fewer would print the limit itself ("20.0 < 20"). */
    static String tokS(double v, double limit) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "n/a" : apart(v, limit, 1);
    }

    /** A duration that broke {@code limitMillis}, as {@link #ms(double)} but never printed equal to the limit. */
    static String ms(double v, double limitMillis) {
        if (Double.isNaN(v) || Double.isInfinite(v)) return "n/a";
        return v >= 1000 ? apart(v / 1000, limitMillis / 1000, 1) + " s" : apart(v, limitMillis, 0) + " ms";
    }

    /** {@code v} with {@code decimals} or more (at most 4), until it no longer reads as {@code limit}. */
    private static String apart(double v, double limit, int decimals) {
        String s = String.format(Locale.ROOT, "%." + decimals + "f", v);
        while (decimals < 4 && Double.parseDouble(s) == limit) s = String.format(Locale.ROOT, "%." + ++decimals + "f", v);
        return s;
    }

    /** A threshold as written: 20, 20.5 (not "20.0", nor "21" for 20.5). */
    private static String plain(double v) {
        return java.math.BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }
}
