package io.tokensiege.common.protocol;

/**
 * Sent by an admitted worker every second, whatever its inbox holds. The coordinator can then tell a worker
 * whose queue is drained by someone else (heartbeats arrive, acknowledgements do not, and its inbox is idle) from one
 * that is stuck obeying a command (heartbeats arrive, and its inbox is still on a message sent before the unacknowledged
 * one) or gone (neither arrives).
 *
 * @param inboxBusySeq    the sequence number of the message the worker's inbox was obeying when this was sent; 0 while it polls
 * @param inboxBusyMillis how long it had been obeying that message
 */
public record WorkerHeartbeat(String runId, String stepId, String workerId, long inboxBusySeq, long inboxBusyMillis) implements ToCoordinator {
    public static WorkerHeartbeat of(String workerId, InboxState inbox) {
        return new WorkerHeartbeat("", "", workerId, inbox.seq(), inbox.millis());
    }

    /** What a worker's inbox is doing: the message it is obeying, and for how long; {@link #IDLE} while it polls. */
    public record InboxState(long seq, long millis) {
        public static final InboxState IDLE = new InboxState(0, 0);
    }
}
