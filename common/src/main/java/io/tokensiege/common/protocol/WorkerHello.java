package io.tokensiege.common.protocol;

/**
 * A worker announces itself when it joins (or registers again). Its envelope's signature proves the
 * cluster token (the token itself never travels); the coordinator answers with a {@link JoinChallenge}.
 * {@code clientUuid} ties the worker to its cluster connection, whose loss the coordinator sees at once.
 */
public record WorkerHello(String runId, String stepId, String workerId, String host, int cores, int capacity, String version,
                          int protocolVersion, String clientUuid) implements ToCoordinator {}
