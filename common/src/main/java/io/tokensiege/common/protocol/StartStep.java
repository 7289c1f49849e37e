package io.tokensiege.common.protocol;

/**
 * Every worker starts its share at the same absolute instant. {@code startEpochMicros} is on the
 * receiving worker's own wall clock: the coordinator adds that worker's measured clock offset, so
 * workers whose clocks disagree still start together.
 */
public record StartStep(String runId, String stepId, long startEpochMicros) implements ToWorker {}
