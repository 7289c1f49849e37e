package io.tokensiege.worker.load;

/** Converts this JVM's {@code nanoTime} to wall-clock microseconds, for aligning workers' records. */
final class EpochClock {
    private final long baseNanos = System.nanoTime();
    private final long baseEpochMicros = System.currentTimeMillis() * 1000;

    long epochMicros(long nanos) {
        return baseEpochMicros + (nanos - baseNanos) / 1000;
    }
}
