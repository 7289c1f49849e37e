package io.tokensiege.coordinator.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.DiscoveryStrategyConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.spi.discovery.multicast.MulticastDiscoveryStrategyFactory;

/**
 * The coordinator's Hazelcast member configuration, with what the open-source edition can protect turned
 * on. It has no TLS and no member or client authentication (those are Enterprise features): a client that
 * reaches the port and knows the cluster name gets in. So the member listens on the {@code --bind}
 * address only (Hazelcast's default listens on every interface), and everything it carries is signed
 * by tokensiege itself.
 */
final class MemberConfig {
    private MemberConfig() {}

    static Config of(ClusterCoordinator.Settings settings) {
        Config config = new Config();
        config.setClusterName(settings.clusterName());
        config.setInstanceName("tokensiege-coordinator-" + settings.port());
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.logging.type", "slf4j");
        config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        config.setProperty("hazelcast.max.no.heartbeat.seconds", "5");
        config.setProperty("hazelcast.client.max.no.heartbeat.seconds", String.valueOf(settings.clientTimeoutSeconds()));
        config.setProperty("hazelcast.graceful.shutdown.max.wait", "5");
        config.setProperty("hazelcast.socket.bind.any", "false"); // listen on --bind only, not on *:PORT
        config.setProperty("hazelcast.socket.client.bind.any", "false");
        config.getJetConfig().setEnabled(false); // off by default too; on, any client could run code in this JVM
        NetworkConfig net = config.getNetworkConfig();
        net.setPort(settings.port()).setPortAutoIncrement(false);
        net.setReuseAddress(true); // a restarted coordinator gets its port back at once, so workers find it again
        net.setPublicAddress(settings.bind() + ":" + settings.port());
        net.getInterfaces().setEnabled(true).addInterface(settings.bind());
        config.setProperty("hazelcast.local.localAddress", settings.bind());
        JoinConfig join = net.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        if (settings.multicast() == null) {
            join.getTcpIpConfig().setEnabled(true).addMember(settings.bind() + ":" + settings.port());
        } else { // Hazelcast's discovery plugin: the member announces itself on the group, clients listen there
            join.getTcpIpConfig().setEnabled(false);
            config.setProperty("hazelcast.discovery.enabled", "true");
            join.getDiscoveryConfig().addDiscoveryStrategyConfig(
                    new DiscoveryStrategyConfig(new MulticastDiscoveryStrategyFactory(), settings.multicast().discoveryProperties()));
        }
        return config;
    }
}
