package io.tokensiege.coordinator.cluster;

import com.hazelcast.client.Client;
import com.hazelcast.client.ClientListener;
import com.hazelcast.collection.IQueue;
import com.hazelcast.config.Config;
import com.hazelcast.config.DiscoveryStrategyConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
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
import io.tokensiege.coordinator.run.WorkerLink;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's side of the cluster: an embedded Hazelcast member with an explicit TCP-IP member
 * list (auto-detection off; multicast discovery only when asked for), a registry of workers (Hazelcast clients) that proved they
 * hold the cluster token, and signed per-worker queues. A worker whose client connection drops is marked
 * lost at once; the run in progress sees it through {@link WorkerLink#alive()}.
 */
public final class ClusterCoordinator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterCoordinator.class);

    /**
     * @param bind             address the member binds and advertises
     * @param clientTimeoutSeconds a worker silent this long is declared lost (Hazelcast's default is 300 s)
     * @param multicast        where to announce the coordinator for {@code --multicast} discovery; null = workers join by address only
     */
    public record Settings(String bind, int port, String clusterName, int clientTimeoutSeconds, MulticastGroup multicast) {
        public Settings(String bind, int port, String clusterName, int clientTimeoutSeconds) {
            this(bind, port, clusterName, clientTimeoutSeconds, null);
        }
    }

    private static final long CLOCK_PING_MILLIS = 2000;
    private static final long CLOCK_WARN_MICROS = 10_000;
    private static final int JOIN_PINGS = 10;
    private static final long JOIN_PING_SPACING_MILLIS = 100;

    private final HazelcastInstance hz;
    private final java.util.concurrent.ScheduledExecutorService clock = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "coordinator-clock");
        t.setDaemon(true);
        return t;
    });
    private final SecretBox secrets;
    private final IQueue<String> inbox;
    private final Map<String, RemoteWorker> workers = new ConcurrentHashMap<>();
    private final Thread reader;
    private volatile Consumer<ToCoordinator> runSink = m -> {};
    private volatile boolean running = true;

    public ClusterCoordinator(Settings settings, String token) {
        this.secrets = new SecretBox(token);
        Config config = new Config();
        config.setClusterName(settings.clusterName());
        config.setInstanceName("tokensiege-coordinator-" + settings.port());
        config.setProperty("hazelcast.phone.home.enabled", "false");
        config.setProperty("hazelcast.logging.type", "slf4j");
        config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        config.setProperty("hazelcast.max.no.heartbeat.seconds", "5");
        config.setProperty("hazelcast.client.max.no.heartbeat.seconds", String.valueOf(settings.clientTimeoutSeconds()));
        config.setProperty("hazelcast.graceful.shutdown.max.wait", "5");
        NetworkConfig net = config.getNetworkConfig();
        net.setPort(settings.port()).setPortAutoIncrement(false);
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
        this.hz = Hazelcast.newHazelcastInstance(config);
        hz.getClientService().addClientListener(new ClientListener() {
            @Override
            public void clientConnected(Client client) {}

            @Override
            public void clientDisconnected(Client client) {
                workers.values().stream().filter(w -> w.clientUuid.equals(client.getUuid().toString())).forEach(w -> {
                    w.alive = false;
                    log.warn("worker {} left the cluster", w.id);
                });
            }
        });
        this.inbox = hz.getQueue(ClusterNames.TO_COORDINATOR);
        this.reader = new Thread(this::read, "coordinator-inbox");
        reader.setDaemon(true);
        reader.start();
        clock.scheduleAtFixedRate(this::pingClocks, CLOCK_PING_MILLIS, CLOCK_PING_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Where worker messages of the run in progress go (the orchestrator's onMessage). */
    public void routeRunMessagesTo(Consumer<ToCoordinator> sink) {
        this.runSink = sink;
    }

    /** Workers currently connected, in join order. */
    public List<WorkerLink> workers() {
        return new ArrayList<>(workers.values().stream().filter(w -> w.alive).sorted((a, b) -> Long.compare(a.joinedAt, b.joinedAt)).toList());
    }

    public List<Map<String, Object>> describeWorkers() {
        return workers.values().stream().map(w -> Map.<String, Object>of("id", w.id, "host", w.host, "cores", w.cores, "capacity", w.capacity,
                "alive", w.alive, "clock_offset_ms", w.clockSample.offsetMicros() / 1000.0, "clock_rtt_ms",
                w.clockSample == ClockSample.NONE ? -1.0 : w.clockSample.rttMicros() / 1000.0)).toList();
    }

    private void read() {
        while (running) {
            String wire;
            try {
                wire = inbox.poll(500, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                continue;
            }
            if (wire == null) continue;
            ToCoordinator m;
            try {
                m = ProtocolCodec.decodeToCoordinator(Envelope.open(secrets, wire));
            } catch (SecurityException e) {
                // A hello under another token still gets an answer (a refusal saying why); anything else is dropped.
                WorkerHello foreign = unverifiedHello(wire);
                if (foreign != null) hello(foreign);
                else log.warn("refused a message: {}", e.getMessage());
                continue;
            } catch (RuntimeException e) {
                log.warn("malformed message from a worker: {}", e.getMessage());
                continue;
            }
            if (m instanceof WorkerHello hello) hello(hello);
            else if (m instanceof ClockPong pong) pong(pong);
            else runSink.accept(m);
        }
    }

    private static WorkerHello unverifiedHello(String wire) {
        String body = Envelope.unverifiedBody(wire);
        try {
            return body != null && ProtocolCodec.decodeToCoordinator(body) instanceof WorkerHello h ? h : null;
        } catch (IllegalArgumentException notAMessage) {
            return null;
        }
    }

    /** Admits a worker whose proof matches the cluster token and protocol; refuses anyone else, saying why. */
    private void hello(WorkerHello h) {
        String problem = null;
        if (!secrets.verify(WorkerHello.proofText(h.workerId(), h.clientUuid()), h.proof())) problem = "wrong cluster token";
        else if (h.protocolVersion() != ProtocolCodec.PROTOCOL_VERSION) {
            problem = "protocol version " + h.protocolVersion() + " (worker " + h.version() + ") does not match the coordinator's "
                    + ProtocolCodec.PROTOCOL_VERSION + " (coordinator " + Version.current() + "): install the same tokensiege version on both";
        }
        RemoteWorker w = new RemoteWorker(h.workerId(), h.host(), h.cores(), Math.max(1, h.capacity()), h.clientUuid());
        if (problem != null) {
            log.warn("refused worker {} on {}: {}", h.workerId(), h.host(), problem);
            w.send(new JoinReply("", "", false, problem, Version.current(), ProtocolCodec.PROTOCOL_VERSION));
            return;
        }
        w.queue.clear(); // whatever a previous incarnation of this worker left unread is stale
        workers.put(h.workerId(), w);
        log.info("worker {} joined from {} ({} cores)", h.workerId(), h.host(), h.cores());
        w.send(new JoinReply("", "", true, "welcome", Version.current(), ProtocolCodec.PROTOCOL_VERSION));
        // A burst right after the join gives the minimum filter samples to choose from before the first run;
        // the periodic pings then keep tightening it.
        for (int i = 0; i < JOIN_PINGS; i++) clock.schedule(() -> ping(w), i * JOIN_PING_SPACING_MILLIS, TimeUnit.MILLISECONDS);
    }

    private static void ping(RemoteWorker w) {
        if (!w.alive) return;
        try {
            w.send(new ClockPing("", "", EpochMicros.now()));
        } catch (RuntimeException e) {
            log.debug("clock ping to {} failed: {}", w.id, e.getMessage());
        }
    }

    /** Every alive worker gets a clock ping every couple of seconds; warm JVMs give the tight samples. */
    private void pingClocks() {
        workers.values().forEach(ClusterCoordinator::ping);
    }

    /**
     * offset = worker clock - (sent + rtt / 2); the sample with the smallest round trip wins (its midpoint
     * guess is the tightest: the error is at most half that round trip). Warns when the offset exceeds that error bound by more
     * than {@link #CLOCK_WARN_MICROS}.
     */
    private void pong(ClockPong p) {
        RemoteWorker w = workers.get(p.workerId());
        if (w == null) return;
        long rtt = EpochMicros.now() - p.coordinatorSentMicros();
        if (rtt >= w.clockSample.rttMicros()) return;
        w.clockSample = new ClockSample(p.workerMicros() - (p.coordinatorSentMicros() + rtt / 2), rtt);
        if (w.clockSample.beyondErrorMicros() > CLOCK_WARN_MICROS && !w.clockWarned) {
            w.clockWarned = true;
            log.warn("worker {}'s clock is off by {} ms (round trip {} ms): start instants and interval alignment suffer; run NTP on it",
                    w.id, w.clockSample.offsetMicros() / 1000, rtt / 1000);
        }
    }

    @Override
    public void close() {
        running = false;
        clock.shutdownNow();
        hz.shutdown();
    }

    /** The best clock sample so far: worker clock minus coordinator clock, and the round trip that bounds its error. */
    private record ClockSample(long offsetMicros, long rttMicros) {
        static final ClockSample NONE = new ClockSample(0, Long.MAX_VALUE);

        /** How far the offset exceeds its own error bound (half the round trip); not positive when it may be noise. */
        long beyondErrorMicros() {
            return Math.abs(offsetMicros) - rttMicros / 2;
        }
    }

    /** A worker as the orchestrator sees it: signed messages on its own queue. */
    private final class RemoteWorker implements WorkerLink {
        final String id;
        final String host;
        final int cores;
        final int capacity;
        final String clientUuid;
        final long joinedAt = System.nanoTime();
        final IQueue<String> queue;
        volatile boolean alive = true;
        volatile ClockSample clockSample = ClockSample.NONE; // offset and round trip replaced together
        volatile boolean clockWarned;

        RemoteWorker(String id, String host, int cores, int capacity, String clientUuid) {
            this.id = id;
            this.host = host;
            this.cores = cores;
            this.capacity = capacity;
            this.clientUuid = clientUuid;
            this.queue = hz.getQueue(ClusterNames.toWorker(id));
        }

        @Override
        public String workerId() {
            return id;
        }

        @Override
        public int capacity() {
            return capacity;
        }

        @Override
        public void send(ToWorker message) {
            queue.offer(Envelope.seal(secrets, message));
        }

        @Override
        public boolean alive() {
            return alive;
        }

        /** The measured offset only when it exceeds its own error bound (half the round trip): correcting by noise adds skew. */
        @Override
        public long clockOffsetMicros() {
            ClockSample sample = clockSample;
            return sample.beyondErrorMicros() > 0 ? sample.offsetMicros() : 0;
        }
    }
}
