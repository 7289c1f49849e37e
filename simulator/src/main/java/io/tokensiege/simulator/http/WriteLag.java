package io.tokensiege.simulator.http;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongUnaryOperator;
import org.HdrHistogram.Histogram;

/**
 * How late the simulator writes each token compared with when its engine scheduled it: the one
 * figure that says whether the simulator kept up. A simulator that falls behind delivers its tokens
 * late and its ground truth then describes an overloaded simulator, not the profile.
 *
 * <p>One histogram per event loop behind its own uncontended lock (the reader takes it once per interval):
 * cheaper per token than a phaser-based {@code Recorder}, and the loops never contend with each other.
 */
public final class WriteLag {
    private static final long MAX_LAG_MICROS = 3_600_000_000L;
    private final List<Loop> loops = new CopyOnWriteArrayList<>();
    private final LongUnaryOperator realNanosOfSim;
    private final ThreadLocal<Loop> current = ThreadLocal.withInitial(this::newLoop);

    WriteLag(LongUnaryOperator realNanosOfSim) {
        this.realNanosOfSim = realNanosOfSim;
    }

    /** Called on the event loop that wrote the token. */
    void tokenWritten(long scheduledSimNanos, long writtenNanos) {
        current.get().record(Math.max(0, (writtenNanos - realNanosOfSim.applyAsLong(scheduledSimNanos)) / 1000));
    }

    /** Tokens written and their lag since the previous call (the first call covers everything since start). */
    public synchronized Interval interval() {
        Histogram lag = new Histogram(MAX_LAG_MICROS, 3);
        for (Loop loop : loops) loop.drainInto(lag);
        return new Interval(lag.getTotalCount(), lag);
    }

    private Loop newLoop() {
        Loop loop = new Loop();
        loops.add(loop);
        return loop;
    }

    private static final class Loop {
        private final Histogram histogram = new Histogram(MAX_LAG_MICROS, 3);

        synchronized void record(long lagMicros) {
            histogram.recordValue(Math.min(lagMicros, MAX_LAG_MICROS));
        }

        synchronized void drainInto(Histogram total) {
            total.add(histogram);
            histogram.reset();
        }
    }

    /** @param lagMicros write time minus scheduled time per token, in microseconds; its count is the tokens written */
    public record Interval(long tokens, Histogram lagMicros) {
        /** Beyond this p99 lag the simulator no longer behaves like its profile, and every output that shows it says so. */
        public static final double BEHIND_P99_MS = 50;

        public double p99Ms() {
            return lagMicros.getValueAtPercentile(99) / 1000.0;
        }

        public boolean fellBehind() {
            return tokens > 0 && p99Ms() > BEHIND_P99_MS;
        }
    }
}
