package io.tokensiege.common.protocol;

/** The coordinator asks a worker for its wall clock, to estimate the offset from round trips. */
public record ClockPing(String runId, String stepId, long coordinatorSentMicros) implements ToWorker {}
