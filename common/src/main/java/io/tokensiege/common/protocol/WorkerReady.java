package io.tokensiege.common.protocol;

/** The worker has prepared its share (connections warm) and waits for {@link StartStep}. */
public record WorkerReady(String runId, String stepId, String workerId) implements ToCoordinator {}
