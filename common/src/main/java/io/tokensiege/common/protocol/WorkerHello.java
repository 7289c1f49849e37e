package io.tokensiege.common.protocol;

/**
 * A worker announces itself when it joins. {@code proof} is the HMAC of {@link #proofText} under the
 * cluster token: the token itself never travels. {@code clientUuid} ties the worker to its cluster
 * connection, whose loss the coordinator sees at once.
 */
public record WorkerHello(String runId, String stepId, String workerId, String host, int cores, int capacity, String version,
                          int protocolVersion, String clientUuid, String proof) implements ToCoordinator {

    public static String proofText(String workerId, String clientUuid) {
        return "hello:" + workerId + ":" + clientUuid;
    }
}
