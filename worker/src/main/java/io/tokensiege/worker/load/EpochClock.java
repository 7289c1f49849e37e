package io.tokensiege.worker.load;

import java.time.Instant;

/**
 * Converts this JVM's {@code nanoTime} to wall-clock microseconds, for aligning workers' records.
 * The base pair is read once per step: the wall-clock read is bracketed by two nanoTime reads and the
 * tightest of several tries wins, so a preemption between the two reads cannot skew every stamp.
 */
final class EpochClock {
    private final long baseNanos;
    private final long baseEpochMicros;

    EpochClock() {
        long[] pair = pair();
        baseNanos = pair[0];
        baseEpochMicros = pair[1];
    }

    /** {nanoTime, epoch µs} read as close together as this machine allows. */
    static long[] pair() {
        long bestGap = Long.MAX_VALUE;
        long[] best = null;
        for (int i = 0; i < 8; i++) {
            long before = System.nanoTime();
            Instant now = Instant.now();
            long after = System.nanoTime();
            if (after - before < bestGap) {
                bestGap = after - before;
                best = new long[] {before + (after - before) / 2, now.getEpochSecond() * 1_000_000L + now.getNano() / 1000};
            }
        }
        return best;
    }

    long epochMicros(long nanos) {
        return baseEpochMicros + (nanos - baseNanos) / 1000;
    }
}
