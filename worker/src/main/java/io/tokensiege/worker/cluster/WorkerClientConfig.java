package io.tokensiege.worker.cluster;

import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.DiscoveryStrategyConfig;
import com.hazelcast.config.ListenerConfig;
import com.hazelcast.core.LifecycleListener;
import com.hazelcast.spi.discovery.multicast.MulticastDiscoveryStrategyFactory;

/**
 * How a worker's Hazelcast client finds and watches the coordinator: by address or multicast, a heartbeat in
 * seconds (not Hazelcast's minutes), retries at least every 5 s, and no longer than the give-up time.
 */
final class WorkerClientConfig {
    private WorkerClientConfig() {}

    static ClientConfig of(ClusterWorker.Settings s, LifecycleListener lifecycle) {
        ClientConfig config = new ClientConfig();
        config.setClusterName(s.clusterName());
        config.setInstanceName("tokensiege-worker-" + s.workerId());
        if (s.multicast() == null) {
            config.getNetworkConfig().addAddress(s.join());
        } else { // listen on the group for the coordinator's announcement
            config.setProperty("hazelcast.discovery.enabled", "true");
            config.getNetworkConfig().getDiscoveryConfig().addDiscoveryStrategyConfig(
                    new DiscoveryStrategyConfig(new MulticastDiscoveryStrategyFactory(), s.multicast().discoveryProperties()));
        }
        config.setProperty("hazelcast.client.heartbeat.interval", String.valueOf(s.heartbeatMillis()));
        config.setProperty("hazelcast.client.heartbeat.timeout", String.valueOf(5 * s.heartbeatMillis()));
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.client.invocation.timeout.seconds", "10");
        // Retry at least every 5 s (a restarted coordinator is found quickly); stop after the give-up time.
        config.getConnectionStrategyConfig().getConnectionRetryConfig().setMaxBackoffMillis(5_000).setClusterConnectTimeoutMillis(s.giveUpMillis());
        config.addListenerConfig(new ListenerConfig(lifecycle));
        return config;
    }
}
