package io.tokensiege.common.protocol;

/**
 * Prepare a share of a step: {@code streams} of the step's streams, numbered from {@code firstStream}.
 * {@code sealedApiKey} is the target's key encrypted with {@link SecretBox} (null when the target has none).
 */
public record AssignStep(String runId, String stepId, String workerId, StepSpec step, int streams, int firstStream,
                         String sealedApiKey) implements ToWorker {}
