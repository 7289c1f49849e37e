package io.tokensiege.common.analysis;

import io.tokensiege.common.metric.RequestRecord;
import java.util.List;

/**
 * How evenly a step treated its requests: Jain's index {@code (Σx)² / (n·Σx²)} (1 = perfectly even,
 * 1/n = one request got everything) over per-request decode rate and over TTFT; TTFT spread p95/p50;
 * and starved requests (TTFT above 4x the step's median).
 */
public record Fairness(Double jainDecode, Double jainTtft, Double ttftSpread, int starved) {
    public static final Fairness NONE = new Fairness(null, null, null, 0);

    public static Fairness of(List<RequestRecord> records) {
        List<RequestRecord> ok = records.stream().filter(RequestRecord::ok).toList();
        double[] decode = ok.stream().filter(r -> r.decodeRateTokS() != null).mapToDouble(RequestRecord::decodeRateTokS).toArray();
        double[] ttft = ok.stream().filter(r -> r.ttftMicros() != null).mapToDouble(r -> r.ttftMicros()).sorted().toArray();
        if (ttft.length == 0) return NONE;
        double median = quantile(ttft, 0.5);
        int starved = 0;
        for (double t : ttft) if (t > 4 * median) starved++;
        return new Fairness(jain(decode), jain(ttft), median > 0 ? quantile(ttft, 0.95) / median : null, starved);
    }

    static Double jain(double[] x) {
        if (x.length == 0) return null;
        double sum = 0, squares = 0;
        for (double v : x) {
            sum += v;
            squares += v * v;
        }
        return squares == 0 ? 1.0 : sum * sum / (x.length * squares);
    }

    /** Nearest-rank quantile of sorted values. */
    static double quantile(double[] sorted, double q) {
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
