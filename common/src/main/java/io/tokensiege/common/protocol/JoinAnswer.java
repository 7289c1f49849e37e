package io.tokensiege.common.protocol;

/** A worker's answer to a {@link JoinChallenge}: the challenge back, and its wall clock the moment it answered. */
public record JoinAnswer(String runId, String stepId, String workerId, String challenge, long coordinatorSentMicros, long workerMicros)
        implements ToCoordinator {}
