package io.tokensiege.common.protocol;

/** Every worker starts its share at the same absolute instant (wall clock, corrected by its offset). */
public record StartStep(String runId, String stepId, long startEpochMillis) implements ToWorker {}
