package io.tokensiege.coordinator.run;

import io.tokensiege.common.metric.Histograms;
import io.tokensiege.common.metric.Metric;
import io.tokensiege.common.protocol.IntervalSnapshot;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.coordinator.event.RunListener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The live view of a running step. Workers' one-second snapshots are merged by the second they end in (never by
 * arrival), and each update gives rolling figures over the last {@value #WINDOW_SECONDS} seconds: TTFT of the
 * requests whose first token arrived then (not of those that happened to finish), the output rate of every stream
 * (fillers and requests begun earlier included), and what is in flight now. A second with nothing to show gives
 * nulls, never NaN. Every update is kept, so the step's history can be drawn.
 */
final class LiveWindow {
    static final int WINDOW_SECONDS = 5;

    /** One second of the step, summed over the workers whose snapshots ended in it. */
    private static final class Second {
        final Map<String, IntervalSnapshot> byWorker = new LinkedHashMap<>();
    }

    private final StepSpec step;
    private final long startEpochMillis;
    private final NavigableMap<Long, Second> seconds = new TreeMap<>();
    private final List<RunListener.LiveStats> history = new ArrayList<>();

    LiveWindow(StepSpec step, long startEpochMillis) {
        this.step = step;
        this.startEpochMillis = startEpochMillis;
    }

    /** Adds one worker's snapshot and returns the rolling figures at its second. */
    RunListener.LiveStats add(IntervalSnapshot s) {
        long second = Math.max(0, Math.round((s.intervalEndEpochMillis() - startEpochMillis) / 1000.0));
        seconds.computeIfAbsent(second, k -> new Second()).byWorker.put(s.workerId(), s);
        RunListener.LiveStats stats = rolling(second);
        history.add(stats);
        return stats;
    }

    List<RunListener.LiveStats> history() {
        return List.copyOf(history);
    }

    private RunListener.LiveStats rolling(long upTo) {
        double ts = step.target().timeScale();
        Histogram ttft = Histograms.create();
        Histogram itl = Histograms.create();
        double tokens = 0;
        int completed = 0;
        int errors = 0;
        long coveredMillis = 0;
        for (Second sec : seconds.subMap(upTo - WINDOW_SECONDS + 1, true, upTo, true).values()) {
            long longest = 0;
            for (IntervalSnapshot w : sec.byWorker.values()) {
                if (w.firstTokenTtfts() != null) ttft.add(Histograms.decode(w.firstTokenTtfts()));
                byte[] gaps = w.histograms() == null ? null : w.histograms().get(Metric.ITL_MICROS.key());
                if (gaps != null) itl.add(Histograms.decode(gaps));
                tokens += w.outputTokens(); // in tokens, as the step's figure: a server may send several per event
                completed += w.completed();
                errors += w.errors();
                longest = Math.max(longest, w.intervalEndEpochMillis() - w.intervalStartEpochMillis());
            }
            coveredMillis += longest;
        }
        int inFlight = 0;
        int awaiting = 0;
        int queued = 0;
        for (IntervalSnapshot w : seconds.get(upTo).byWorker.values()) {
            inFlight += w.inFlight();
            awaiting += w.awaitingFirstToken();
            queued += w.queued();
        }
        return new RunListener.LiveStats(upTo * 1000, expectedMillis(), coveredMillis, ms(ttft, 50, ts), ms(ttft, 95, ts), ms(ttft, 99, ts),
                coveredMillis > 0 ? tokens * 1000.0 / coveredMillis / ts : null, ms(itl, 50, ts), ms(itl, 95, ts), ms(itl, 99, ts),
                completed, errors, inFlight, awaiting, queued);
    }

    /** A percentile of a µs histogram in ms of the target's own time; null when it holds nothing. */
    private static Double ms(Histogram h, double percentile, double timeScale) {
        return h.getTotalCount() == 0 ? null : h.getValueAtPercentile(percentile) * timeScale / 1000;
    }

    /** The step's planned length in wall time (ramp + window), or 0 when it runs a number of requests instead. */
    private long expectedMillis() {
        return step.isTimed() ? step.rampMillis() + step.durationMillis() : 0;
    }
}
