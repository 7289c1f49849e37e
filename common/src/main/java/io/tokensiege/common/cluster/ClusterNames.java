package io.tokensiege.common.cluster;

/** Names both sides of the cluster agree on: one queue to the coordinator, one per worker. */
public final class ClusterNames {
    public static final String TO_COORDINATOR = "tokensiege.to-coordinator";
    public static final String DEFAULT_CLUSTER = "tokensiege";
    public static final int DEFAULT_PORT = 5701;

    private ClusterNames() {}

    public static String toWorker(String workerId) {
        return "tokensiege.to-worker." + workerId;
    }
}
