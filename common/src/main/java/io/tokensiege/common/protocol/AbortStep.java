package io.tokensiege.common.protocol;

/** Stop the step now: cancel in-flight requests and report what was recorded. */
public record AbortStep(String runId, String stepId, String reason) implements ToWorker {}
