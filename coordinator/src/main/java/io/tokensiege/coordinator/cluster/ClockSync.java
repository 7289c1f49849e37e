package io.tokensiege.coordinator.cluster;

import io.tokensiege.common.protocol.ClockPing;
import io.tokensiege.common.protocol.EpochMicros;
import java.util.Collection;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Keeps every worker's clock offset measured: a burst of pings right after a worker joins, then one ping every
 * {@value #PING_MILLIS} ms to every alive worker. Each pong's sample goes to the worker ({@link RemoteWorker#pong}), which
 * keeps the one with the shortest round trip; the ping's acknowledgement shows the worker still reads its queue.
 */
final class ClockSync {
    static final long PING_MILLIS = 2000;
    /** A burst right after the join gives the minimum filter samples to choose from before the first run. */
    private static final int JOIN_PINGS = 10;
    private static final long JOIN_PING_SPACING_MILLIS = 100;

    private final ScheduledExecutorService scheduler;

    /** Starts pinging {@code workers} on {@code scheduler}, which the caller owns and shuts down. */
    ClockSync(ScheduledExecutorService scheduler, Supplier<Collection<RemoteWorker>> workers) {
        this.scheduler = scheduler;
        scheduler.scheduleAtFixedRate(() -> workers.get().stream().filter(RemoteWorker::alive).forEach(ClockSync::ping), PING_MILLIS,
                PING_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** A worker just joined: a burst of pings, after which the periodic ones keep tightening its offset. */
    void joined(RemoteWorker w) {
        for (int i = 1; i <= JOIN_PINGS; i++) scheduler.schedule(() -> ping(w), i * JOIN_PING_SPACING_MILLIS, TimeUnit.MILLISECONDS);
    }

    private static void ping(RemoteWorker w) {
        w.send(new ClockPing("", "", EpochMicros.now()));
    }
}
