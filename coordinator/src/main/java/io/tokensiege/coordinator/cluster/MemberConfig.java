package io.tokensiege.coordinator.cluster;

import com.hazelcast.config.AdvancedNetworkConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.DiscoveryStrategyConfig;
import com.hazelcast.config.InterfacesConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.config.ServerSocketEndpointConfig;
import com.hazelcast.spi.discovery.multicast.MulticastDiscoveryStrategyFactory;

/**
 * The coordinator's Hazelcast member configuration, with what the open-source edition can protect turned
 * on. It has no TLS and no member or client authentication (those are Enterprise features): a client that
 * reaches the port and knows the cluster name gets in, and everything it may touch is signed by
 * tokensiege itself. What the open-source edition does offer is used:
 * <ul>
 *   <li>the cluster listens on the {@code --bind} address only (Hazelcast's default listens on every interface);</li>
 *   <li>with {@code --join} discovery, members and clients get separate sockets: the coordinator is the only
 *       member, so the member protocol listens on loopback (an ephemeral port) and only the client protocol on
 *       {@code --bind}. Nobody on the network can join as a <em>member</em> (which would hold the queues);
 *       the multicast discovery plugin announces the member address, so {@code --multicast} keeps one socket;</li>
 *   <li>Jet, which would let a client run code in this JVM, stays off.</li>
 * </ul>
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
        config.setProperty("hazelcast.socket.bind.any", "false"); // listen on the configured interfaces only, not on *:PORT
        config.setProperty("hazelcast.socket.client.bind.any", "false");
        config.getJetConfig().setEnabled(false);
        if (settings.multicast() == null) separateSockets(config, settings);
        else oneSocketAnnounced(config, settings);
        return config;
    }

    private static void separateSockets(Config config, ClusterCoordinator.Settings settings) {
        AdvancedNetworkConfig net = config.getAdvancedNetworkConfig().setEnabled(true);
        net.setMemberEndpointConfig(new ServerSocketEndpointConfig().setPort(0).setPortAutoIncrement(false).setReuseAddress(true)
                .setInterfaces(new InterfacesConfig().setEnabled(true).addInterface("127.0.0.1")));
        net.setClientEndpointConfig(new ServerSocketEndpointConfig().setPort(settings.port()).setPortAutoIncrement(false)
                .setReuseAddress(true) // a restarted coordinator gets its port back at once, so workers find it again
                .setPublicAddress(settings.bind() + ":" + settings.port())
                .setInterfaces(new InterfacesConfig().setEnabled(true).addInterface(settings.bind())));
        JoinConfig join = net.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true); // no other member to look for: never joins a stale cluster of the same name
    }

    private static void oneSocketAnnounced(Config config, ClusterCoordinator.Settings settings) {
        NetworkConfig net = config.getNetworkConfig();
        net.setPort(settings.port()).setPortAutoIncrement(false);
        net.setReuseAddress(true);
        net.setPublicAddress(settings.bind() + ":" + settings.port());
        net.getInterfaces().setEnabled(true).addInterface(settings.bind());
        config.setProperty("hazelcast.local.localAddress", settings.bind());
        JoinConfig join = net.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(false);
        // Hazelcast's discovery plugin: the member announces itself on the group, clients listen there.
        config.setProperty("hazelcast.discovery.enabled", "true");
        join.getDiscoveryConfig().addDiscoveryStrategyConfig(
                new DiscoveryStrategyConfig(new MulticastDiscoveryStrategyFactory(), settings.multicast().discoveryProperties()));
    }
}
