package io.tokensiege.worker.cluster;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.collection.IQueue;
import com.hazelcast.config.DiscoveryStrategyConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.spi.discovery.multicast.MulticastDiscoveryStrategyFactory;
import io.tokensiege.common.cluster.ClusterNames;
import io.tokensiege.common.cluster.MulticastGroup;
import io.tokensiege.common.protocol.ClockPing;
import io.tokensiege.common.protocol.ClockPong;
import io.tokensiege.common.protocol.Envelope;
import io.tokensiege.common.protocol.EpochMicros;
import io.tokensiege.common.protocol.JoinReply;
import io.tokensiege.common.protocol.ProtocolCodec;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.protocol.ToCoordinator;
import io.tokensiege.common.protocol.ToWorker;
import io.tokensiege.common.protocol.Version;
import io.tokensiege.common.protocol.WorkerHello;
import io.tokensiege.worker.WorkerAgent;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker in the cluster: a Hazelcast <em>client</em> of the coordinator (it owns no cluster data, so
 * its loss loses only its own share). It announces itself with a proof of the cluster token, executes
 * only commands signed with that token, and — the dead-man rule — stops every step as soon as the
 * connection to the coordinator is lost.
 */
public final class ClusterWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterWorker.class);

    /**
     * @param join          coordinator address, {@code host} or {@code host:port}; null when found by multicast
     * @param heartbeatMillis how often the client checks the coordinator; a silent coordinator is declared gone after 5x this
     */
    public record Settings(String join, String clusterName, String workerId, int capacity, List<String> allowTargets, long heartbeatMillis,
                           java.nio.file.Path dataDir, MulticastGroup multicast) {
        public Settings(String join, String clusterName, String workerId, int capacity, List<String> allowTargets, long heartbeatMillis,
                        java.nio.file.Path dataDir) {
            this(join, clusterName, workerId, capacity, allowTargets, heartbeatMillis, dataDir, null);
        }
    }

    private final HazelcastInstance client;
    private final SecretBox secrets;
    private final WorkerAgent agent;
    private final LocalLog localLog;
    private final IQueue<String> inbox;
    private final IQueue<String> toCoordinator;
    private final String workerId;
    private final Thread reader;
    private final CompletableFuture<JoinReply> joined = new CompletableFuture<>();
    private volatile boolean running = true;
    private volatile boolean coordinatorLost;
    private final java.util.concurrent.ExecutorService sender = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "worker-sender");
        t.setDaemon(true);
        return t;
    });

    public ClusterWorker(Vertx vertx, Settings settings, String token) throws Exception {
        this.secrets = new SecretBox(token);
        this.workerId = settings.workerId();
        ClientConfig config = new ClientConfig();
        config.setClusterName(settings.clusterName());
        config.setInstanceName("tokensiege-worker-" + workerId);
        if (settings.multicast() == null) {
            config.getNetworkConfig().addAddress(settings.join());
        } else { // listen on the group for the coordinator's announcement
            config.setProperty("hazelcast.discovery.enabled", "true");
            config.getNetworkConfig().getDiscoveryConfig().addDiscoveryStrategyConfig(
                    new DiscoveryStrategyConfig(new MulticastDiscoveryStrategyFactory(), settings.multicast().discoveryProperties()));
        }
        config.setProperty("hazelcast.client.heartbeat.interval", String.valueOf(settings.heartbeatMillis()));
        config.setProperty("hazelcast.client.heartbeat.timeout", String.valueOf(5 * settings.heartbeatMillis()));
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.client.invocation.timeout.seconds", "10");
        config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(30_000);
        config.addListenerConfig(new com.hazelcast.config.ListenerConfig((com.hazelcast.core.LifecycleListener) this::lifecycle));
        this.client = HazelcastClient.newHazelcastClient(config);
        this.inbox = client.getQueue(ClusterNames.toWorker(workerId));
        this.toCoordinator = client.getQueue(ClusterNames.TO_COORDINATOR);
        this.localLog = settings.dataDir() == null ? null : new LocalLog(settings.dataDir());
        this.agent = new WorkerAgent(vertx, workerId, secrets, m -> {
            if (localLog != null) localLog.record(m).ifPresent(this::send); // a local copy that could not be written is the run's news too
            send(m);
        }, settings.allowTargets());
        this.reader = new Thread(this::read, "worker-inbox-" + workerId);
        reader.setDaemon(true);
        reader.start();
        String uuid = client.getLocalEndpoint().getUuid().toString();
        send(new WorkerHello("", "", workerId, InetAddress.getLocalHost().getHostName(), Runtime.getRuntime().availableProcessors(),
                settings.capacity(), Version.current(), ProtocolCodec.PROTOCOL_VERSION, uuid, secrets.sign(WorkerHello.proofText(workerId, uuid))));
    }

    /** Waits (bounded) for the coordinator's answer to the hello. */
    public JoinReply awaitJoin(long timeoutMillis) throws Exception {
        return joined.get(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    /** Never blocks the caller (often an event loop): a cluster call can stall while the connection is down. */
    private void send(ToCoordinator message) {
        if (!running || coordinatorLost) return; // dead-man: nothing goes out once the coordinator is gone
        String wire = Envelope.seal(secrets, message);
        try {
            sender.execute(() -> {
                try {
                    toCoordinator.offer(wire);
                } catch (RuntimeException e) {
                    log.warn("could not send to the coordinator: {}", e.getMessage());
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("not sent, the worker is closing: {}", message.getClass().getSimpleName()); // close() raced this send
        }
    }

    private void read() {
        while (running) {
            String wire;
            try {
                wire = inbox.poll(500, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                if (running) log.debug("inbox poll failed: {}", e.getMessage());
                continue;
            }
            if (wire == null) continue;
            ToWorker message;
            try {
                message = ProtocolCodec.decodeToWorker(Envelope.open(secrets, wire));
            } catch (SecurityException e) {
                if (refusal(wire)) continue;
                log.warn("refused a command: {}", e.getMessage());
                continue;
            }
            if (message instanceof ClockPing ping) {
                send(new ClockPong("", "", workerId, ping.coordinatorSentMicros(), EpochMicros.now()));
                continue;
            }
            if (message instanceof JoinReply reply) {
                joined.complete(reply);
                if (!reply.accepted()) log.error("the coordinator refused this worker: {}", reply.message());
                else log.info("joined the coordinator (version {})", reply.coordinatorVersion());
                continue;
            }
            agent.onMessage(message);
        }
    }

    /**
     * A coordinator holding another token refuses this worker with a reply we cannot verify. A refusal
     * grants nothing, so it is read (only to tell the user why); any other unverifiable message is ignored.
     */
    private boolean refusal(String wire) {
        String body = Envelope.unverifiedBody(wire);
        try {
            if (body != null && ProtocolCodec.decodeToWorker(body) instanceof JoinReply reply && !reply.accepted()) {
                log.error("the coordinator refused this worker (unsigned for us): {}", reply.message());
                joined.complete(reply);
                return true;
            }
        } catch (IllegalArgumentException notAMessage) {
            // an unverifiable message that is not a refusal: ignored
        }
        return false;
    }

    private void lifecycle(LifecycleEvent event) {
        if (event.getState() == LifecycleEvent.LifecycleState.CLIENT_DISCONNECTED && running) {
            coordinatorLost = true;
            log.error("lost the coordinator: stopping every step now (dead-man rule)");
            if (agent != null) agent.abortAll("coordinator lost");
        } else if (event.getState() == LifecycleEvent.LifecycleState.CLIENT_CONNECTED) {
            coordinatorLost = false;
        }
    }

    public String workerId() {
        return workerId;
    }

    @Override
    public void close() {
        running = false;
        agent.abortAll("worker shutting down");
        sender.shutdownNow();
        client.shutdown();
    }
}
