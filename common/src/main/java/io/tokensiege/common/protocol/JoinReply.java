package io.tokensiege.common.protocol;

/** The coordinator's answer to a {@link WorkerHello}: accepted, or refused with what to do. */
public record JoinReply(String runId, String stepId, boolean accepted, String message, String coordinatorVersion, int protocolVersion)
        implements ToWorker {}
