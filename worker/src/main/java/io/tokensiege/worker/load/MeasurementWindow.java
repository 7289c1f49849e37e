package io.tokensiege.worker.load;

import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.metric.RequestStamps;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * A step's measurement window, and what happened inside it, accumulated as each request ends so that an ended
 * request can be dropped at once (memory per step stays flat however many requests it holds).
 *
 * <p>A timed step measures requests sent in [start + ramp, start + ramp + duration) and counts the tokens whose
 * events arrived inside it. An untimed step (a number of requests) measures all of them, and its window runs
 * from the first send to the last end. Exchanges ask {@link #contains} as each event arrives; their weight
 * (usage tokens per event) is applied when they end.
 */
final class MeasurementWindow {
    private final boolean timed;
    /** False for a warm-up: its requests count nowhere. */
    private final boolean countsTokens;
    private final long startNanos;
    private final long endNanos;
    private final DoubleAdder tokens = new DoubleAdder();
    private final LongAdder decodingNanos = new LongAdder();
    private final AtomicInteger completedInside = new AtomicInteger();
    private final AtomicInteger cancelledMeasured = new AtomicInteger();
    private final AtomicLong firstSendNanos = new AtomicLong(Long.MAX_VALUE);
    private final AtomicLong lastEndNanos = new AtomicLong(Long.MIN_VALUE);

    private MeasurementWindow(boolean timed, boolean countsTokens, long startNanos, long endNanos) {
        this.timed = timed;
        this.countsTokens = countsTokens;
        this.startNanos = startNanos;
        this.endNanos = endNanos;
    }

    static MeasurementWindow timed(long stepStartNanos, long rampMillis, long durationMillis) {
        long start = stepStartNanos + rampMillis * 1_000_000L;
        return new MeasurementWindow(true, true, start, start + durationMillis * 1_000_000L);
    }

    static MeasurementWindow untimed(boolean warmup) {
        return new MeasurementWindow(false, !warmup, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    boolean isTimed() {
        return timed;
    }

    /** Whether an instant (a send, an intended arrival, an event) falls inside the window. */
    boolean contains(long nanos) {
        return !timed || (nanos >= startNanos && nanos < endNanos);
    }

    /** Past the window's end: closed-loop streams send only unmeasured fillers from here on. */
    boolean isOver(long nowNanos) {
        return timed && nowNanos >= endNanos;
    }

    long startNanos() {
        return startNanos;
    }

    long endNanos() {
        return endNanos;
    }

    /** Folds an ended request into the window's figures; the exchange may then be dropped. */
    void account(Exchange ex, RequestRecord r) {
        if (r.origin().isProbe()) return; // the level's own figures leave a mixed step's probe out, as its histograms do
        RequestStamps s = ex.stamps;
        if (r.outcome().cancelled() && ex.measured) cancelledMeasured.incrementAndGet();
        if (!countsTokens) return;
        if (s.sendNanos != RequestStamps.NONE) firstSendNanos.accumulateAndGet(s.sendNanos, Math::min);
        if (s.endNanos != RequestStamps.NONE) lastEndNanos.accumulateAndGet(s.endNanos, Math::max);
        int events = r.tokens().tokenEvents();
        if (events > 0) {
            boolean usage = r.tokens().tokenSource() == io.tokensiege.common.metric.TokenSource.USAGE;
            double weight = usage ? (double) r.tokens().outputTokens() / events : 1.0;
            tokens.add(weight * ex.eventsInWindow());
            long from = timed ? startNanos : Long.MIN_VALUE;
            long to = timed ? endNanos : Long.MAX_VALUE;
            long decodeEnd = io.tokensiege.common.metric.RequestMetrics.decodeEndNanos(s, usage, events); // a slot is busy until its end token
            decodingNanos.add(Math.max(0, Math.min(decodeEnd, to) - Math.max(s.firstNanos, from)));
        }
        if (!r.outcome().cancelled() && (!timed || (s.endNanos >= startNanos && s.endNanos < endNanos))) completedInside.incrementAndGet();
    }

    /** Where the window began and how long it lasted: for an untimed step, first send to last end. */
    long fromNanos(long fallback) {
        if (timed) return startNanos;
        long first = firstSendNanos.get();
        return first == Long.MAX_VALUE ? fallback : first;
    }

    long lengthNanos(long fallbackStart) {
        if (timed) return endNanos - startNanos;
        long last = lastEndNanos.get();
        return last == Long.MIN_VALUE ? 0 : last - fromNanos(fallbackStart) + 1;
    }

    double tokens() {
        return tokens.sum();
    }

    long decodingNanos() {
        return decodingNanos.sum();
    }

    int completedInside() {
        return completedInside.get();
    }

    int cancelledMeasured() {
        return cancelledMeasured.get();
    }
}
