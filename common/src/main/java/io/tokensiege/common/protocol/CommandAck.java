package io.tokensiege.common.protocol;

/**
 * A worker received and accepted the coordinator's message with sequence number {@code seq}. The
 * coordinator expects one for everything it sends (a clock ping every 2 s included), so a worker whose
 * queue was drained by someone else, or who is stuck, is declared lost within the worker timeout.
 */
public record CommandAck(String runId, String stepId, String workerId, long seq) implements ToCoordinator {}
