package io.tokensiege.coordinator.metrics;

import io.tokensiege.common.metric.Histograms;
import io.tokensiege.common.metric.Metric;
import io.tokensiege.common.protocol.IntervalSnapshot;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * One target's counters since the coordinator started: they only ever grow, as Prometheus counters must. Tokens and
 * requests are counted from the workers' one-second snapshots as they arrive; errors by class when a step ends
 * (the snapshots carry only how many failed). Durations are in seconds of the target's own time.
 */
final class TargetTally {
    double outputTokens;
    long completedRequests;
    long failedRequests;
    long finishedSteps;
    final Map<String, Long> errorsByClass = new TreeMap<>();
    final Sum ttft = new Sum();
    final Sum itl = new Sum();

    /** A summary's count and sum of observations, in seconds. */
    static final class Sum {
        long count;
        double seconds;

        void add(byte[] encodedMicros, double timeScale) {
            if (encodedMicros == null) return;
            Histogram h = Histograms.decode(encodedMicros);
            count += h.getTotalCount();
            seconds += h.getMean() * h.getTotalCount() * timeScale / 1e6;
        }
    }

    void add(IntervalSnapshot s, double timeScale) {
        outputTokens += s.outputTokens();
        completedRequests += s.completed();
        failedRequests += s.errors();
        ttft.add(s.firstTokenTtfts(), timeScale);
        if (s.histograms() != null) itl.add(s.histograms().get(Metric.ITL_MICROS.key()), timeScale);
    }

    void addErrors(Map<String, Integer> byClass) {
        byClass.forEach((c, n) -> errorsByClass.merge(c, (long) n, Long::sum));
    }
}
