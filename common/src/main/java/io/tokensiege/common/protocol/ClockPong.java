package io.tokensiege.common.protocol;

/** A worker's answer to {@link ClockPing}: its wall clock the moment it answered. */
public record ClockPong(String runId, String stepId, String workerId, long coordinatorSentMicros, long workerMicros) implements ToCoordinator {}
