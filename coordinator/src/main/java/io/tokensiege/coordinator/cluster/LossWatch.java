package io.tokensiege.coordinator.cluster;

import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Declares lost every alive worker that left a message unacknowledged for the worker timeout, and says which of two cases it
 * is (see {@link ClusterCoordinator}): its heartbeats kept coming, so another client drains its queue and the run cannot trust
 * its commands; or it fell silent too (stuck, paused or gone), and the run may go on without it.
 */
final class LossWatch implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(LossWatch.class);
    /** A heartbeat sent this long after a message went (at most half the worker timeout), yet no acknowledgement: it did not reach it. */
    private static final long HEARD_SINCE_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final Supplier<Collection<RemoteWorker>> workers;
    private final long workerTimeoutNanos;
    private final long heardSinceNanos;

    LossWatch(Supplier<Collection<RemoteWorker>> workers, long workerTimeoutNanos) {
        this.workers = workers;
        this.workerTimeoutNanos = workerTimeoutNanos;
        this.heardSinceNanos = Math.min(HEARD_SINCE_NANOS, workerTimeoutNanos / 2);
    }

    @Override
    public void run() {
        long timeoutSeconds = TimeUnit.NANOSECONDS.toSeconds(workerTimeoutNanos);
        for (RemoteWorker w : workers.get()) {
            RemoteWorker.Sent overdue = w.alive() ? w.overdue(workerTimeoutNanos) : null;
            if (overdue == null) continue;
            if (w.lastHeartbeatNanos() - overdue.atNanos() > heardSinceNanos) {
                w.markLost("never acknowledged its " + overdue.what() + " (" + timeoutSeconds + " s) although its heartbeats kept coming: its queue "
                        + "is being drained by another client of the cluster, so its commands cannot be trusted", true);
            } else {
                w.markLost("sent no acknowledgement or heartbeat for " + timeoutSeconds + " s (its queue may have been drained, or it is stuck)");
            }
            log.warn("worker {} {}", w.id, w.lostReason());
        }
    }
}
