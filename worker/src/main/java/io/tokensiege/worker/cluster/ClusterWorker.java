package io.tokensiege.worker.cluster;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.collection.IQueue;
import com.hazelcast.config.DiscoveryStrategyConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.LifecycleEvent.LifecycleState;
import com.hazelcast.spi.discovery.multicast.MulticastDiscoveryStrategyFactory;
import io.tokensiege.common.cluster.ClusterNames;
import io.tokensiege.common.cluster.MulticastGroup;
import io.tokensiege.common.protocol.ClockPing;
import io.tokensiege.common.protocol.ClockPong;
import io.tokensiege.common.protocol.CommandAck;
import io.tokensiege.common.protocol.Envelope;
import io.tokensiege.common.protocol.EpochMicros;
import io.tokensiege.common.protocol.JoinAnswer;
import io.tokensiege.common.protocol.JoinChallenge;
import io.tokensiege.common.protocol.JoinReply;
import io.tokensiege.common.protocol.MessageSigner;
import io.tokensiege.common.protocol.ProtocolCodec;
import io.tokensiege.common.protocol.RecordChunk;
import io.tokensiege.common.protocol.ReplayGuard;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.protocol.ToCoordinator;
import io.tokensiege.common.protocol.ToWorker;
import io.tokensiege.common.protocol.Version;
import io.tokensiege.common.protocol.WorkerHeartbeat;
import io.tokensiege.common.protocol.WorkerHello;
import io.tokensiege.common.security.TargetAllowList;
import io.tokensiege.worker.WorkerAgent;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker in the cluster: a Hazelcast <em>client</em> of the coordinator (it owns no cluster data, so
 * its loss loses only its own share). It says hello, answers the coordinator's challenge, and then
 * executes only commands signed with the cluster token by the coordinator session that admitted it,
 * each once ({@link ReplayGuard}), acknowledging each; and it sends a heartbeat every second.
 *
 * <p>Dead-man rule: it stops every step as soon as the connection drops, or when the admitted
 * coordinator (which pings every 2 s) has been silent for {@link Settings#silenceMillis()}; it then
 * registers again in a new session, so a paused worker or a restarted coordinator meet again by
 * themselves. Not admitted by anyone for {@link Settings#giveUpMillis()}, it gives up ({@link #gaveUp()})
 * and its process exits, so a supervisor can restart it.
 */
public final class ClusterWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterWorker.class);
    private static final String COORDINATOR = "coordinator";
    private static final long WATCHDOG_MILLIS = 1000; // also the heartbeat period
    private static final long HELLO_RETRY_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** Bound on one chunk of records reaching the cluster queue (the client's own invocation timeout is 10 s). */
    private static final long CHUNK_SEND_SECONDS = 30;

    /**
     * @param join            coordinator address, {@code host:port}; null when found by multicast
     * @param heartbeatMillis how often the client checks the coordinator; a silent coordinator is declared gone after 5x this
     * @param silenceMillis   no message from the admitted coordinator this long: steps stop and the worker registers again
     * @param giveUpMillis    not admitted by any coordinator this long (first connection included): the worker gives up
     */
    public record Settings(String join, String clusterName, String workerId, int capacity, TargetAllowList allowTargets, long heartbeatMillis,
                           Path dataDir, MulticastGroup multicast, long silenceMillis, long giveUpMillis) {
        public static final long DEFAULT_SILENCE_MILLIS = 10_000;
        public static final long DEFAULT_GIVE_UP_MILLIS = 180_000;

        /** Where it looks for the coordinator, for messages. */
        String where() {
            return multicast == null ? "at " + join : "on multicast " + multicast;
        }
    }

    private final Settings settings;
    private final HazelcastInstance client;
    private final SecretBox secrets;
    private final MessageSigner signer;
    private final ReplayGuard guard;
    private final Registration registration = new Registration();
    private final WorkerAgent agent;
    private final IQueue<String> inbox;
    private final IQueue<String> toCoordinator;
    private final String workerId;
    private final String hostName;
    private final CompletableFuture<JoinReply> joined = new CompletableFuture<>();
    private final CompletableFuture<String> gaveUp = new CompletableFuture<>();
    private volatile boolean running = true;
    private volatile boolean disconnected;
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> daemon(r, "worker-sender"));
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "worker-watchdog"));

    /** Connects (bounded by {@code giveUpMillis}; an IllegalStateException when no cluster answered) and says hello. */
    public ClusterWorker(Vertx vertx, Settings settings, String token) throws Exception {
        this.settings = settings;
        this.secrets = new SecretBox(token);
        this.workerId = settings.workerId();
        this.signer = new MessageSigner(secrets, workerId);
        this.guard = new ReplayGuard(workerId);
        this.hostName = InetAddress.getLocalHost().getHostName();
        this.client = HazelcastClient.newHazelcastClient(clientConfig(settings));
        this.inbox = client.getQueue(ClusterNames.toWorker(workerId));
        this.toCoordinator = client.getQueue(ClusterNames.TO_COORDINATOR);
        LocalLog localLog = settings.dataDir() == null ? null : new LocalLog(settings.dataDir());
        this.agent = new WorkerAgent(vertx, workerId, secrets, m -> {
            if (localLog != null) localLog.record(m).ifPresent(this::send); // a local copy that could not be written is the run's news too
            send(m);
        }, settings.allowTargets()).keepRecordsIn(settings.dataDir());
        Thread reader = new Thread(this::read, "worker-inbox-" + workerId);
        reader.setDaemon(true);
        reader.start();
        watchdog.scheduleAtFixedRate(this::watch, WATCHDOG_MILLIS, WATCHDOG_MILLIS, TimeUnit.MILLISECONDS);
        registration.helloSent();
        hello();
    }

    private ClientConfig clientConfig(Settings s) {
        ClientConfig config = new ClientConfig();
        config.setClusterName(s.clusterName());
        config.setInstanceName("tokensiege-worker-" + workerId);
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
        config.addListenerConfig(new com.hazelcast.config.ListenerConfig((com.hazelcast.core.LifecycleListener) this::lifecycle));
        return config;
    }

    /** Completes with the coordinator's first answer: accepted, or refused with why. */
    public CompletableFuture<JoinReply> joined() {
        return joined;
    }

    /** Completes, with what was tried, when this worker gives up on finding a coordinator. */
    public CompletableFuture<String> gaveUp() {
        return gaveUp;
    }

    public String workerId() {
        return workerId;
    }

    private void hello() {
        enqueue(Envelope.ANY_SESSION, new WorkerHello("", "", workerId, hostName, Runtime.getRuntime().availableProcessors(), settings.capacity(),
                Version.current(), ProtocolCodec.PROTOCOL_VERSION, client.getLocalEndpoint().getUuid().toString()));
    }

    /**
     * A run message: goes only to the coordinator session that admitted this worker (dead-man: nothing otherwise). A
     * chunk of records waits until it is sent (its caller is a blocking-pool thread reading them from disk), so a long
     * step's records are never all queued in memory at once.
     */
    private void send(ToCoordinator message) {
        String session = registration.admittedSession();
        if (!running || session == null) return;
        Future<?> sent = enqueue(session, message);
        if (message instanceof RecordChunk) {
            try {
                sent.get(CHUNK_SEND_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                log.warn("a chunk of records was not sent within {} s: {}", CHUNK_SEND_SECONDS, e.getMessage()); // the coordinator says it is missing
            }
        }
    }

    /** Seals on the one sender thread, so sequence numbers leave in order; never blocks the caller (often an event loop). */
    private Future<?> enqueue(String toSession, ToCoordinator message) {
        try {
            return sender.submit(() -> {
                try {
                    toCoordinator.offer(signer.seal(COORDINATOR, toSession, message).wire());
                } catch (RuntimeException e) {
                    log.warn("could not send to the coordinator: {}", e.getMessage());
                }
            });
        } catch (RejectedExecutionException e) {
            log.debug("not sent, the worker is closing: {}", message.getClass().getSimpleName()); // close() raced this send
            return CompletableFuture.completedFuture(null);
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
            try {
                receive(wire);
            } catch (IllegalArgumentException e) {
                log.warn("refused a command: {}", e.getMessage());
            }
        }
    }

    private void receive(String wire) {
        Envelope.Opened opened;
        try {
            opened = Envelope.open(secrets, wire);
        } catch (SecurityException e) {
            if (!refusal(wire)) log.warn("refused a command: {}", e.getMessage());
            return;
        }
        Envelope.Header h = opened.header();
        ToWorker message = ProtocolCodec.decodeToWorker(opened.body());
        try {
            if (!COORDINATOR.equals(h.from())) throw new SecurityException("sent by '" + h.from() + "', not by the coordinator");
            if (message instanceof JoinChallenge c) {
                answer(h, c);
                return;
            }
            if (!registration.isFrom(h.fromSession())) {
                throw new SecurityException("from a coordinator session this worker did not register with (a restarted coordinator's leftovers, or a replay)");
            }
            guard.accept(h, signer.session(), false, registration.coordinatorAheadMicros(), true);
            if (message instanceof JoinReply reply) {
                joinReply(reply);
            } else if (registration.admittedSession() == null) {
                throw new SecurityException("a " + message.getClass().getSimpleName() + " before this worker was admitted");
            }
            registration.heard();
            enqueue(h.fromSession(), new CommandAck(message.runId(), message.stepId(), workerId, h.seq()));
            if (message instanceof ClockPing ping) {
                registration.clockSample(ping.coordinatorSentMicros());
                enqueue(h.fromSession(), new ClockPong("", "", workerId, ping.coordinatorSentMicros(), EpochMicros.now()));
            } else if (!(message instanceof JoinReply)) {
                agent.onMessage(message);
            }
        } catch (SecurityException e) {
            log.warn("refused a command ({}): {}", message.getClass().getSimpleName(), e.getMessage());
        }
    }

    /** Answers a challenge addressed to this session while not admitted; its freshness is the coordinator's to judge. */
    private void answer(Envelope.Header h, JoinChallenge c) {
        if (registration.admittedSession() != null) {
            log.debug("ignored a join challenge: already admitted");
            return;
        }
        guard.accept(h, signer.session(), false, 0, false);
        registration.challenged(h.fromSession(), c.coordinatorSentMicros());
        enqueue(h.fromSession(), new JoinAnswer("", "", workerId, c.challenge(), c.coordinatorSentMicros(), EpochMicros.now()));
    }

    private void joinReply(JoinReply reply) {
        if (reply.accepted()) {
            registration.admitted();
            log.info("joined the coordinator (version {})", reply.coordinatorVersion());
            joined.complete(reply);
        } else if (!joined.complete(reply)) { // refused on registering again: signed by a coordinator holding our token, so final
            giveUp("the coordinator refused this worker: " + reply.message());
        } else {
            log.error("the coordinator refused this worker: {}", reply.message());
        }
    }

    /**
     * A coordinator holding another token refuses this worker with a reply we cannot verify. A refusal
     * grants nothing, so it is read (only to tell the user why) at the first join; any other unverifiable
     * message, or a refusal later (anyone on the cluster could write one), is only logged.
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

    /** Heartbeats while admitted, dead-man on silence, hellos until admitted, and giving up when nobody admits this worker. */
    private void watch() {
        if (!running) return;
        String session = registration.admittedSession();
        if (session != null) enqueue(session, new WorkerHeartbeat("", "", workerId));
        long silentSeconds = TimeUnit.NANOSECONDS.toSeconds(registration.silentNanos());
        if (registration.silentNanos() > TimeUnit.MILLISECONDS.toNanos(settings.silenceMillis())) {
            log.warn("no message from the coordinator for {} s: stopping every step (dead-man rule) and registering again", silentSeconds);
            startOver("coordinator silent");
            return;
        }
        if (!disconnected && registration.helloDue(HELLO_RETRY_NANOS)) hello();
        if (registration.unadmittedNanos() > TimeUnit.MILLISECONDS.toNanos(settings.giveUpMillis())) {
            giveUp("no coordinator admitted this worker for " + settings.giveUpMillis() / 1000 + " s (tried " + settings.where() + ", cluster '"
                    + settings.clusterName() + "': " + registration.hellos() + " hello(s) sent, "
                    + (disconnected ? "no cluster connection at the end" : "none answered") + ")");
        }
    }

    /** Stops every step and registers again in a new session, so nothing addressed to the old one is obeyed. */
    private void startOver(String reason) {
        if (registration.cancel()) signer.newSession();
        agent.abortAll(reason);
        if (!disconnected) {
            registration.helloSent();
            hello();
        }
    }

    private void giveUp(String reason) {
        if (!gaveUp.complete(reason)) return;
        log.error("giving up: {}", reason);
        agent.abortAll("giving up");
    }

    private void lifecycle(LifecycleEvent event) {
        if (!running) return;
        LifecycleState state = event.getState();
        if (state == LifecycleState.CLIENT_DISCONNECTED) {
            disconnected = true;
            log.error("lost the coordinator: stopping every step now (dead-man rule)");
            if (agent != null) startOver("coordinator lost");
        } else if (state == LifecycleState.CLIENT_CONNECTED && disconnected) {
            disconnected = false;
            log.info("reconnected to the cluster {}: registering again", settings.where());
            registration.helloSent();
            hello();
        } else if (state == LifecycleState.SHUTDOWN) {
            giveUp("the cluster client stopped trying to reach the coordinator " + settings.where() + " (cluster '" + settings.clusterName()
                    + "') after " + settings.giveUpMillis() / 1000 + " s");
        }
    }

    @Override
    public void close() {
        running = false;
        agent.abortAll("worker shutting down");
        watchdog.shutdownNow();
        sender.shutdownNow();
        client.shutdown();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
