package io.tokensiege.common.protocol;

/** The worker could not run its share (e.g. rejected the plan); {@code terminal} = the run cannot go on. */
public record WorkerFailed(String runId, String stepId, String workerId, String kind, String message, boolean terminal) implements ToCoordinator {}
