package io.tokensiege.common.protocol;

/**
 * Sent by an admitted worker every second, whatever its inbox holds. The coordinator can then tell a worker
 * whose queue is drained by someone else (heartbeats arrive, acknowledgements do not) from one that is
 * stuck or gone (neither arrives).
 */
public record WorkerHeartbeat(String runId, String stepId, String workerId) implements ToCoordinator {}
