package io.tokensiege.worker.record;

import io.tokensiege.common.metric.ErrorClass;
import io.tokensiege.common.metric.Histograms;
import io.tokensiege.common.metric.Metric;
import io.tokensiege.common.metric.RequestRecord;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * One lane's measurements, written only by that lane's event loop: a {@link SingleWriterRecorder} per metric (no
 * atomic counts per value, no cache line shared with other lanes) and monotonic counters the snapshot reads as
 * differences. {@link StepRecorder} merges the lanes when it takes an interval.
 */
public final class LaneRecorder {
    private final Map<Metric, SingleWriterRecorder> recorders = new EnumMap<>(Metric.class);
    private final SingleWriterRecorder firstTokens = recorder();
    private final Map<ErrorClass, AtomicLong> errors = new EnumMap<>(ErrorClass.class);
    // Monotonic, single writer: lazySet is enough for the reader on the snapshot thread (it may see a count one step late).
    private final AtomicLong tokenEvents = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong clamped = new AtomicLong();
    private final AtomicLong usageTokens = new AtomicLong();
    private final AtomicLong usageEvents = new AtomicLong();
    /** Read on the snapshot thread only. */
    private final Map<Metric, Histogram> recycled = new EnumMap<>(Metric.class);
    private Histogram recycledFirstTokens;

    LaneRecorder() {
        for (Metric m : Metric.values()) recorders.put(m, recorder());
        for (ErrorClass e : ErrorClass.values()) errors.put(e, new AtomicLong());
    }

    private static SingleWriterRecorder recorder() {
        return new SingleWriterRecorder(1, Histograms.HIGHEST_TRACKABLE, Histograms.SIGNIFICANT_DIGITS);
    }

    public void recordItlMicros(long micros) {
        record(Metric.ITL_MICROS, micros);
    }

    /** Any request's token event (measured or not): the live output rate. */
    public void tokenEvent() {
        tokenEvents.lazySet(tokenEvents.get() + 1);
    }

    /** Any request's first token arrived {@code ttftMicros} after it was sent (for the live view). */
    public void firstToken(long ttftMicros) {
        firstTokens.recordValue(Histograms.clamp(ttftMicros));
    }

    /** Any request ended (measured or not): what its usage says its events carried, for the live output rate. */
    public void anyRequestEnded(RequestRecord r) {
        int events = r.tokens().tokenEvents();
        if (events == 0 || r.tokens().tokenSource() != io.tokensiege.common.metric.TokenSource.USAGE) return;
        usageTokens.lazySet(usageTokens.get() + r.tokens().outputTokens());
        usageEvents.lazySet(usageEvents.get() + events);
    }

    /** A measured request ended: its metrics go into the histograms, or it counts as an error. */
    public void requestEnded(RequestRecord r) {
        completed.lazySet(completed.get() + 1);
        if (!r.ok()) {
            failed.lazySet(failed.get() + 1);
            for (ErrorClass e : ErrorClass.values()) {
                if (e.key().equals(r.outcome().error())) errors.get(e).lazySet(errors.get(e).get() + 1);
            }
            return;
        }
        recordIfPresent(Metric.TTFT_MICROS, r.times().ttftMicros());
        recordIfPresent(Metric.TTFT_INTENDED_MICROS, r.times().ttftIntendedMicros());
        recordIfPresent(Metric.TTFA_MICROS, r.times().ttfaMicros());
        recordIfPresent(Metric.TTFB_MICROS, r.times().ttfbMicros());
        if (r.connection() != null) recordIfPresent(Metric.CONNECT_MICROS, r.connection().connectMicros());
        recordIfPresent(Metric.E2E_MICROS, r.times().e2eMicros());
        recordIfPresent(Metric.TPOT_MICROS, r.times().tpotMicros());
        if (r.times().decodeRateTokS() != null) record(Metric.DECODE_RATE_MILLITOK_S, Math.round(r.times().decodeRateTokS() * 1000));
        record(Metric.OUTPUT_TOKENS, r.tokens().outputTokens());
    }

    private void recordIfPresent(Metric m, Long value) {
        if (value != null) record(m, value);
    }

    private void record(Metric m, long value) {
        long v = Histograms.clamp(value);
        if (v != value && value > 0) clamped.lazySet(clamped.get() + 1);
        recorders.get(m).recordValue(v);
    }

    /**
     * This lane's values of {@code m} since the last call. The histogram is recycled by the next call (a recorder takes
     * back only its own), so the caller adds it somewhere before then.
     */
    Histogram interval(Metric m) {
        Histogram h = recorders.get(m).getIntervalHistogram(recycled.get(m));
        recycled.put(m, h);
        return h;
    }

    Histogram firstTokenInterval() {
        recycledFirstTokens = firstTokens.getIntervalHistogram(recycledFirstTokens);
        return recycledFirstTokens;
    }

    long tokenEvents() {
        return tokenEvents.get();
    }

    long usageTokens() {
        return usageTokens.get();
    }

    long usageEvents() {
        return usageEvents.get();
    }

    long completed() {
        return completed.get();
    }

    long failed() {
        return failed.get();
    }

    long clamped() {
        return clamped.get();
    }

    long errors(ErrorClass e) {
        return errors.get(e).get();
    }
}
