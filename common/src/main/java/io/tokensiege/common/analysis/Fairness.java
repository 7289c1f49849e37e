package io.tokensiege.common.analysis;

import io.tokensiege.common.metric.RequestRecord;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * How evenly a step treated its requests: Jain's index {@code (Σx)² / (n·Σx²)} (1 = perfectly even,
 * 1/n = one request got everything) over per-request decode rate and over TTFT; TTFT spread p95/p50;
 * starved requests (TTFT above 4x the step's median; with agent sessions, 4x the median of their own kind, since a
 * conversation's cold first turn is slow by nature and not starved); {@code sendOrderKept}, the share of request pairs
 * whose first tokens came in the order they were sent (1 = strict FIFO, 0.5 = no relation); and each
 * worker's TTFT median in the target's own time, to see whether one worker's share was treated differently.
 */
public record Fairness(Double jainDecode, Double jainTtft, Double ttftSpread, int starved, Double sendOrderKept,
                       Map<String, Double> ttftP50MsByWorker) {
    public static final Fairness NONE = new Fairness(null, null, null, 0, null, Map.of());

    /** @param timeScale the target's time per measured wall time (a simulated target's speed, else 1) */
    public static Fairness of(List<RequestRecord> records, double timeScale) {
        List<RequestRecord> ok = records.stream().filter(RequestRecord::ok).toList();
        double[] decode = ok.stream().filter(r -> r.times().decodeRateTokS() != null).mapToDouble(rec -> rec.times().decodeRateTokS()).toArray();
        double[] ttft = ok.stream().filter(r -> r.times().ttftMicros() != null).mapToDouble(r -> r.times().ttftMicros()).sorted().toArray();
        if (ttft.length == 0) return NONE;
        double median = quantile(ttft, 0.5);
        int starved = 0;
        for (List<RequestRecord> kind : ok.stream().filter(r -> r.times().ttftMicros() != null).collect(Collectors.groupingBy(Fairness::kind)).values()) {
            double[] t = kind.stream().mapToDouble(r -> r.times().ttftMicros()).sorted().toArray();
            double m = quantile(t, 0.5);
            for (double v : t) if (v > 4 * m) starved++;
        }
        Map<String, Double> byWorker = new TreeMap<>();
        ok.stream().filter(r -> r.times().ttftMicros() != null).collect(Collectors.groupingBy(rec -> rec.origin().workerId()))
                .forEach((w, rs) -> byWorker.put(w, quantile(rs.stream().mapToDouble(r -> r.times().ttftMicros() * timeScale / 1000.0).sorted().toArray(), 0.5)));
        return new Fairness(jain(decode), jain(ttft), median > 0 ? quantile(ttft, 0.95) / median : null, starved, sendOrderKept(ok), byWorker);
    }

    /** Requests compared with each other for starvation: a conversation's first request apart from those that continue one. */
    private static String kind(RequestRecord r) {
        if (r.agent() == null) return "request";
        return r.agent().userTurn() == 1 && !r.agent().followUp() ? "cold" : "warm";
    }

    /** Share of concordant pairs between send order and first-token order (inversions counted by merge sort). */
    static Double sendOrderKept(List<RequestRecord> ok) {
        List<RequestRecord> withFirst = ok.stream().filter(r -> r.times().ttftMicros() != null)
                .sorted(Comparator.comparingLong(rec -> rec.times().sendEpochMicros())).toList();
        int n = withFirst.size();
        if (n < 2) return null;
        long[] firstTokenAt = withFirst.stream().mapToLong(r -> r.times().sendEpochMicros() + r.times().ttftMicros()).toArray();
        long inversions = inversions(firstTokenAt, new long[n], 0, n);
        return 1.0 - (double) inversions / ((long) n * (n - 1) / 2);
    }

    private static long inversions(long[] a, long[] tmp, int from, int to) {
        if (to - from < 2) return 0;
        int mid = (from + to) >>> 1;
        long count = inversions(a, tmp, from, mid) + inversions(a, tmp, mid, to);
        int i = from, j = mid, k = from;
        while (i < mid && j < to) {
            if (a[i] <= a[j]) tmp[k++] = a[i++];
            else {
                count += mid - i;
                tmp[k++] = a[j++];
            }
        }
        while (i < mid) tmp[k++] = a[i++];
        while (j < to) tmp[k++] = a[j++];
        System.arraycopy(tmp, from, a, from, to - from);
        return count;
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
