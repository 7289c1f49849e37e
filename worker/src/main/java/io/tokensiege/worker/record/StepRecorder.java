package io.tokensiege.worker.record;

import io.tokensiege.common.metric.ErrorClass;
import io.tokensiege.common.metric.Histograms;
import io.tokensiege.common.metric.Metric;
import io.tokensiege.common.metric.RequestRecord;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Records one worker's share of a step: an HdrHistogram {@link Recorder} per metric (written from
 * any event loop, wait-free), interval snapshots taken once a second, and the step totals (the exact
 * sum of every interval, built with {@code add}).
 */
public final class StepRecorder {
    private final Map<Metric, Recorder> recorders = new EnumMap<>(Metric.class);
    private final Map<Metric, Histogram> totals = new EnumMap<>(Metric.class);
    private final Map<ErrorClass, AtomicInteger> errors = new EnumMap<>(ErrorClass.class);
    private final AtomicInteger completed = new AtomicInteger();
    private final AtomicInteger intervalCompleted = new AtomicInteger();
    private final AtomicInteger intervalErrors = new AtomicInteger();
    private final AtomicLong intervalTokenEvents = new AtomicLong();
    private final AtomicLong clamped = new AtomicLong();
    /** TTFT of every request at its first token (not at its end, and fillers too): for the live view only. */
    private final Recorder firstTokens = new Recorder(1, Histograms.HIGHEST_TRACKABLE, Histograms.SIGNIFICANT_DIGITS);

    public StepRecorder() {
        for (Metric m : Metric.values()) {
            recorders.put(m, new Recorder(1, Histograms.HIGHEST_TRACKABLE, Histograms.SIGNIFICANT_DIGITS));
            totals.put(m, Histograms.create());
        }
        for (ErrorClass e : ErrorClass.values()) errors.put(e, new AtomicInteger());
    }

    public void recordItlMicros(long micros) {
        record(Metric.ITL_MICROS, micros);
    }

    /** Any request's token event (measured or not): the live output rate. */
    public void tokenEvent() {
        intervalTokenEvents.incrementAndGet();
    }

    /** Any request's first token arrived {@code ttftMicros} after it was sent. */
    public void firstToken(long ttftMicros) {
        firstTokens.recordValue(Histograms.clamp(ttftMicros));
    }

    /** A measured request ended: its metrics go into the histograms, or it counts as an error. */
    public void requestEnded(RequestRecord r) {
        intervalCompleted.incrementAndGet();
        completed.incrementAndGet();
        if (!r.ok()) {
            intervalErrors.incrementAndGet();
            for (ErrorClass e : ErrorClass.values()) if (e.key().equals(r.error())) errors.get(e).incrementAndGet();
            return;
        }
        recordIfPresent(Metric.TTFT_MICROS, r.ttftMicros());
        recordIfPresent(Metric.TTFT_INTENDED_MICROS, r.ttftIntendedMicros());
        recordIfPresent(Metric.TTFA_MICROS, r.ttfaMicros());
        recordIfPresent(Metric.TTFB_MICROS, r.ttfbMicros());
        recordIfPresent(Metric.E2E_MICROS, r.e2eMicros());
        recordIfPresent(Metric.TPOT_MICROS, r.tpotMicros());
        if (r.decodeRateTokS() != null) record(Metric.DECODE_RATE_MILLITOK_S, Math.round(r.decodeRateTokS() * 1000));
        record(Metric.OUTPUT_TOKENS, r.outputTokens());
    }

    private void recordIfPresent(Metric m, Long value) {
        if (value != null) record(m, value);
    }

    private void record(Metric m, long value) {
        long v = Histograms.clamp(value);
        if (v != value && value > 0) clamped.incrementAndGet();
        recorders.get(m).recordValue(v);
    }

    /** Takes the interval histograms (resetting them) and adds them to the totals. */
    public synchronized Interval takeInterval() {
        Map<String, byte[]> encoded = new LinkedHashMap<>();
        for (Metric m : Metric.values()) {
            Histogram h = recorders.get(m).getIntervalHistogram();
            if (h.getTotalCount() > 0) encoded.put(m.key(), Histograms.encode(h));
            totals.get(m).add(h);
        }
        Histogram first = firstTokens.getIntervalHistogram();
        return new Interval(encoded, intervalTokenEvents.getAndSet(0), intervalCompleted.getAndSet(0), intervalErrors.getAndSet(0),
                first.getTotalCount() == 0 ? null : Histograms.encode(first));
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
        errors.forEach((e, n) -> {
            if (n.get() > 0) out.put(e.key(), n.get());
        });
        return out;
    }

    public int completed() {
        return completed.get();
    }

    public long clampedValues() {
        return clamped.get();
    }

    public record Interval(Map<String, byte[]> histograms, long tokenEvents, int completed, int errors, byte[] firstTokenTtfts) {}
}
