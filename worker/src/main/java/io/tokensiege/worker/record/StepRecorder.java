package io.tokensiege.worker.record;

import io.tokensiege.common.metric.ErrorClass;
import io.tokensiege.common.metric.Histograms;
import io.tokensiege.common.metric.Metric;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.HdrHistogram.Histogram;

/**
 * One worker's share of a step, over its lanes: each lane writes its own {@link LaneRecorder}; once a second this
 * takes every lane's interval histograms (each lane recycles its own), merges them with {@code add}, and
 * adds them to the step totals (the exact sum of every interval). Counters are the lanes' monotonic counts, taken
 * as differences.
 */
public final class StepRecorder {
    private final List<LaneRecorder> lanes = new CopyOnWriteArrayList<>();
    private final Map<Metric, Histogram> totals = new EnumMap<>(Metric.class);

    private long lastTokenEvents;
    private long lastCompleted;
    private long lastFailed;

    public StepRecorder() {
        for (Metric m : Metric.values()) totals.put(m, Histograms.create());
    }

    /** A recorder for a new lane; only that lane's event loop may write to it. */
    public LaneRecorder newLane() {
        LaneRecorder lane = new LaneRecorder();
        lanes.add(lane);
        return lane;
    }

    /** Takes the interval (resetting it) over every lane and adds it to the totals. */
    public synchronized Interval takeInterval() {
        Map<String, byte[]> encoded = new LinkedHashMap<>();
        for (Metric m : Metric.values()) {
            Histogram merged = Histograms.create();
            for (LaneRecorder lane : lanes) merged.add(lane.interval(m));
            if (merged.getTotalCount() > 0) encoded.put(m.key(), Histograms.encode(merged));
            totals.get(m).add(merged);
        }
        Histogram first = Histograms.create();
        for (LaneRecorder lane : lanes) first.add(lane.firstTokenInterval());
        long tokens = lanes.stream().mapToLong(LaneRecorder::tokenEvents).sum();
        long done = completed();
        long failed = lanes.stream().mapToLong(LaneRecorder::failed).sum();
        long usageEvents = lanes.stream().mapToLong(LaneRecorder::usageEvents).sum();
        double tokensPerEvent = usageEvents == 0 ? 1.0 : lanes.stream().mapToLong(LaneRecorder::usageTokens).sum() / (double) usageEvents;
        Interval iv = new Interval(encoded, tokens - lastTokenEvents, (int) (done - lastCompleted), (int) (failed - lastFailed),
                first.getTotalCount() == 0 ? null : Histograms.encode(first), tokensPerEvent);
        lastTokenEvents = tokens;
        lastCompleted = done;
        lastFailed = failed;
        return iv;
    }

    /** Step totals per metric, encoded (call after the last {@link #takeInterval()}). */
    public synchronized Map<String, byte[]> encodedTotals() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        totals.forEach((m, h) -> {
            if (h.getTotalCount() > 0) out.put(m.key(), Histograms.encode(h));
        });
        return out;
    }

    public Map<String, Integer> errorsByClass() {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (ErrorClass e : ErrorClass.values()) {
            long n = lanes.stream().mapToLong(l -> l.errors(e)).sum();
            if (n > 0) out.put(e.key(), (int) n);
        }
        return out;
    }

    public int completed() {
        return (int) lanes.stream().mapToLong(LaneRecorder::completed).sum();
    }

    public long clampedValues() {
        return lanes.stream().mapToLong(LaneRecorder::clamped).sum();
    }

    public record Interval(Map<String, byte[]> histograms, long tokenEvents, int completed, int errors, byte[] firstTokenTtfts, double tokensPerEvent) {}
}
