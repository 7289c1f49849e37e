package io.tokensiege.worker.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How long the calling thread has waited, runnable, for a core since it began: the kernel's run-queue delay, the
 * second field of {@code /proc/thread-self/schedstat}. A late start with a large share of this was the host's
 * doing (a busy machine), not the worker's. Linux with scheduler statistics only; elsewhere it is unknown.
 */
final class RunQueueDelay {
    static final long UNKNOWN = -1;
    private static final Path SELF = Path.of("/proc/thread-self/schedstat");

    private RunQueueDelay() {}

    /** Nanoseconds this thread spent waiting for a core so far, or {@link #UNKNOWN}. */
    static long nanos() {
        try {
            return parse(new String(Files.readAllBytes(SELF), StandardCharsets.US_ASCII));
        } catch (IOException | RuntimeException e) {
            return UNKNOWN;
        }
    }

    /** The run-queue field of a schedstat line ("on-cpu-ns run-queue-ns timeslices"), or {@link #UNKNOWN}. */
    static long parse(String schedstat) {
        String[] fields = schedstat.trim().split("\\s+");
        if (fields.length < 2) return UNKNOWN;
        try {
            long nanos = Long.parseLong(fields[1]);
            return nanos >= 0 ? nanos : UNKNOWN;
        } catch (NumberFormatException e) {
            return UNKNOWN;
        }
    }

    /** Microseconds waited between two readings, or null when either is unknown. */
    static Long microsBetween(long before, long after) {
        return before == UNKNOWN || after == UNKNOWN || after < before ? null : (after - before) / 1000;
    }
}
