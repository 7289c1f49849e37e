package io.tokensiege.common.protocol;

/**
 * The worker could not run its share (e.g. rejected the plan), or something went wrong while it did; {@code terminal} = the
 * run cannot go on. {@code kind} says what, e.g. {@link #WRITE_FAILED} or {@link #WORKER_ERROR}.
 */
public record WorkerFailed(String runId, String stepId, String workerId, String kind, String message, boolean terminal) implements ToCoordinator {
    /** The worker's local copy of its measurements could not be written (a full disk); the share itself is whole. */
    public static final String WRITE_FAILED = "write_failed";
    /** The worker's JVM hit an error (out of memory): its share was aborted and is incomplete. */
    public static final String WORKER_ERROR = "worker_error";
}
