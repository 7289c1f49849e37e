package io.tokensiege.coordinator.cluster;

import io.tokensiege.common.protocol.ReplayGuard;
import io.tokensiege.common.protocol.WorkerHeartbeat;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Declares lost every alive worker that left a message unacknowledged for the worker timeout, and says which of three cases
 * it is (see {@link ClusterCoordinator}): its heartbeats kept coming while its inbox was idle, so another client drains its
 * queue and the run cannot trust its commands; its heartbeats kept coming while its inbox was still obeying an earlier
 * message, so it is stuck (a hung disk) and the run may go on without it; or it fell silent too (stuck, paused or gone),
 * and the run may go on without it.
 *
 * <p>A third case comes first: the coordinator itself stalled (paused, or starved of CPU) so long that its workers' dead-man
 * rule dropped their sessions, or that their acknowledgements are now too old to accept. Nothing can be judged of a worker
 * then, so every alive worker is declared lost without blame, and registers again.
 */
final class LossWatch implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(LossWatch.class);
    /** A heartbeat sent this long after a message went (at most half the worker timeout), yet no acknowledgement: it did not reach it. */
    private static final long HEARD_SINCE_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final Supplier<Collection<RemoteWorker>> workers;
    private final long workerTimeoutNanos;
    private final long heardSinceNanos;
    private final long stallLimitNanos;
    private final LongSupplier nanoTime;
    private long lastRunNanos;

    LossWatch(Supplier<Collection<RemoteWorker>> workers, long workerTimeoutNanos) {
        this(workers, workerTimeoutNanos, System::nanoTime);
    }

    /** @param nanoTime this watch's own clock (System.nanoTime), which tells how long it was stalled between two runs */
    LossWatch(Supplier<Collection<RemoteWorker>> workers, long workerTimeoutNanos, LongSupplier nanoTime) {
        this.workers = workers;
        this.workerTimeoutNanos = workerTimeoutNanos;
        this.heardSinceNanos = Math.min(HEARD_SINCE_NANOS, workerTimeoutNanos / 2);
        this.stallLimitNanos = Math.min(workerTimeoutNanos, TimeUnit.MICROSECONDS.toNanos(ReplayGuard.DEFAULT_MAX_AGE_MICROS));
        this.nanoTime = nanoTime;
        this.lastRunNanos = nanoTime.getAsLong();
    }

    @Override
    public void run() {
        long now = nanoTime.getAsLong();
        long stalledNanos = now - lastRunNanos;
        lastRunNanos = now;
        if (stalledNanos > stallLimitNanos) {
            loseAllAfterStall(stalledNanos);
            return;
        }
        long timeoutSeconds = TimeUnit.NANOSECONDS.toSeconds(workerTimeoutNanos);
        for (RemoteWorker w : workers.get()) {
            RemoteWorker.Sent overdue = w.alive() ? w.overdue(workerTimeoutNanos) : null;
            if (overdue == null) continue;
            WorkerHeartbeat.InboxState inbox = w.inbox();
            boolean heardSince = w.lastHeartbeatNanos() - overdue.atNanos() > heardSinceNanos;
            if (heardSince && inbox.seq() > 0 && inbox.seq() <= overdue.seq()) {
                // Its inbox is still on an earlier message (the unacknowledged one waits behind it in its own queue), or on that
                // very message, waiting for the session's lock before it could acknowledge it.
                w.markLost("is stuck: its inbox has obeyed one command for " + inbox.millis() / 1000 + " s (a hung disk or a blocked call), so its "
                        + overdue.what() + " waits unread; the run goes on without it");
            } else if (heardSince) {
                w.markLost("never acknowledged its " + overdue.what() + " (" + timeoutSeconds + " s) although its heartbeats kept coming: its queue "
                        + "is being drained by another client of the cluster, so its commands cannot be trusted", true);
            } else {
                w.markLost("sent no acknowledgement or heartbeat for " + timeoutSeconds + " s (its queue may have been drained, or it is stuck)");
            }
            log.warn("worker {} {}", w.id, w.lostReason());
        }
    }

    private void loseAllAfterStall(long stalledNanos) {
        String reason = "was cut off while the coordinator itself stalled for " + TimeUnit.NANOSECONDS.toSeconds(stalledNanos)
                + " s (paused, or starved of CPU): longer than the worker timeout or the 30 s a message may take, so the worker "
                + "registers again";
        for (RemoteWorker w : workers.get()) {
            if (!w.alive()) continue;
            w.markLost(reason);
            log.warn("worker {} {}", w.id, reason);
        }
    }
}
