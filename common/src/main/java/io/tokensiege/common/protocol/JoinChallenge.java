package io.tokensiege.common.protocol;

/**
 * The coordinator's answer to a {@link WorkerHello}: prove you are alive now. Only a signed
 * {@link JoinAnswer} naming {@code challenge}, sent from the hello's session within the coordinator's
 * worker timeout, admits the worker, so a replayed hello of a worker that is gone admits nobody.
 * {@code coordinatorSentMicros} gives both sides a first clock sample.
 */
public record JoinChallenge(String runId, String stepId, String challenge, long coordinatorSentMicros) implements ToWorker {}
