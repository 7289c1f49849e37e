package io.tokensiege.coordinator.cluster;

import com.hazelcast.client.Client;
import com.hazelcast.client.ClientListener;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.tokensiege.common.cluster.ClusterNames;
import io.tokensiege.common.cluster.MulticastGroup;
import io.tokensiege.common.protocol.InboxLoop;
import io.tokensiege.common.protocol.ClockPong;
import io.tokensiege.common.protocol.CommandAck;
import io.tokensiege.common.protocol.Envelope;
import io.tokensiege.common.protocol.EpochMicros;
import io.tokensiege.common.protocol.JoinAnswer;
import io.tokensiege.common.protocol.JoinChallenge;
import io.tokensiege.common.protocol.JoinReply;
import io.tokensiege.common.protocol.MessageSigner;
import io.tokensiege.common.protocol.ProtocolCodec;
import io.tokensiege.common.protocol.ReplayGuard;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.protocol.ToCoordinator;
import io.tokensiege.common.protocol.Version;
import io.tokensiege.common.protocol.WorkerHeartbeat;
import io.tokensiege.common.protocol.WorkerHello;
import io.tokensiege.coordinator.run.WorkerLink;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's side of the cluster: an embedded Hazelcast member ({@link MemberConfig}), a registry
 * of workers (Hazelcast clients) and signed per-worker queues.
 *
 * <p>Admission: a worker's signed hello is answered with a one-time challenge, and only a signed answer
 * from the hello's session, within the worker timeout, admits it; a replayed hello of a worker that is
 * gone admits nobody. Every message either way passes the {@link ReplayGuard}.
 *
 * <p>Liveness: a worker acknowledges everything it is sent (a clock ping every 2 s included) and sends a
 * heartbeat every second. When a message stays unacknowledged for the worker timeout, the worker is
 * declared lost, and the reason tells two cases apart: heartbeats kept coming after the message was
 * sent (so the worker is fine and its queue is being drained by another client of the cluster: the run
 * cannot trust its commands and ends), or the worker fell silent too (stuck, paused or gone: the run goes
 * on without it, and it may register again). A dropped client connection is the latter at once. The
 * run in progress sees all this through {@link WorkerLink#alive()}, {@link WorkerLink#lostReason()} and
 * {@link WorkerLink#lossEndsRun()}.
 *
 * <p>Here: admission and the routing of messages. Apart: the inbox loop ({@link InboxLoop}), clock sync
 * ({@link ClockSync}) and the loss watchdog ({@link LossWatch}).
 */
public final class ClusterCoordinator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterCoordinator.class);
    private static final String ID = "coordinator";
    /** How often lost workers and unanswered challenges are looked for. */
    private static final long WATCHDOG_MILLIS = 250;

    /**
     * @param bind                 address literal the member binds and advertises
     * @param clientTimeoutSeconds a worker silent this long, or leaving a message unacknowledged this long, is declared lost
     *                             (Hazelcast's own default is 300 s)
     * @param multicast            where to announce the coordinator for {@code --multicast} discovery; null = workers join by address only
     */
    public record Settings(String bind, int port, String clusterName, int clientTimeoutSeconds, MulticastGroup multicast) {
        public Settings(String bind, int port, String clusterName, int clientTimeoutSeconds) {
            this(bind, port, clusterName, clientTimeoutSeconds, null);
        }
    }

    /** A worker that said hello and was sent a challenge, not yet admitted. */
    private record Candidate(WorkerHello hello, String session, String challenge, long expiresAtNanos) {}

    private final HazelcastInstance hz;
    private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "coordinator-clock");
        t.setDaemon(true);
        return t;
    });
    private final SecretBox secrets;
    private final MessageSigner signer;
    private final ReplayGuard guard = new ReplayGuard(ID);
    private final long workerTimeoutNanos;
    private final InboxLoop inbox;
    private final ClockSync clocks;
    private final Map<String, RemoteWorker> workers = new ConcurrentHashMap<>();
    private final Map<String, Candidate> candidates = new ConcurrentHashMap<>();
    private volatile Consumer<ToCoordinator> runSink = m -> {};

    public ClusterCoordinator(Settings settings, String token) {
        this.secrets = new SecretBox(token);
        this.signer = new MessageSigner(secrets, ID);
        this.workerTimeoutNanos = TimeUnit.SECONDS.toNanos(settings.clientTimeoutSeconds());
        this.hz = Hazelcast.newHazelcastInstance(MemberConfig.of(settings));
        hz.getClientService().addClientListener(new ClientListener() {
            @Override
            public void clientConnected(Client client) {}

            @Override
            public void clientDisconnected(Client client) {
                String uuid = client.getUuid().toString();
                workers.values().stream().filter(w -> w.clientUuid.equals(uuid) && w.alive()).forEach(w -> {
                    w.markLost("left the cluster");
                    log.warn("worker {} left the cluster", w.id);
                });
            }
        });
        this.clocks = new ClockSync(clock, workers::values);
        clock.scheduleAtFixedRate(new LossWatch(workers::values, workerTimeoutNanos), WATCHDOG_MILLIS, WATCHDOG_MILLIS, TimeUnit.MILLISECONDS);
        clock.scheduleAtFixedRate(this::forgetUnansweredChallenges, WATCHDOG_MILLIS, WATCHDOG_MILLIS, TimeUnit.MILLISECONDS);
        this.inbox = InboxLoop.start("coordinator-inbox", hz.<String>getQueue(ClusterNames.TO_COORDINATOR)::poll, this::receive,
                e -> log.warn("malformed message from a worker: {}", e.getMessage()));
    }

    /** Where worker messages of the run in progress go (the orchestrator's onMessage). */
    public void routeRunMessagesTo(Consumer<ToCoordinator> sink) {
        this.runSink = sink;
    }

    /** Workers currently connected, in join order. */
    public List<WorkerLink> workers() {
        return workers.values().stream().filter(RemoteWorker::alive).sorted(Comparator.comparingLong(RemoteWorker::joinedAtNanos))
                .map(w -> (WorkerLink) w).toList();
    }

    public List<Map<String, Object>> describeWorkers() {
        return workers.values().stream().sorted(Comparator.comparingLong(RemoteWorker::joinedAtNanos)).map(RemoteWorker::describe).toList();
    }

    private void receive(String wire) {
        Envelope.Opened opened;
        try {
            opened = Envelope.open(secrets, wire);
        } catch (SecurityException e) {
            // A hello under another token (or protocol) still gets an answer saying why; anything else is dropped.
            WorkerHello foreign = unverifiedHello(wire);
            if (foreign != null) refuse(foreign, sessionOf(wire), foreign.protocolVersion() != ProtocolCodec.PROTOCOL_VERSION ? versionProblem(foreign) : "wrong cluster token");
            else log.warn("refused a message: {}", e.getMessage());
            return;
        }
        Envelope.Header h = opened.header();
        ToCoordinator m = ProtocolCodec.decodeToCoordinator(opened.body());
        try {
            if (!h.from().equals(m.workerId())) throw new SecurityException("it names worker '" + m.workerId() + "' but was sent by '" + h.from() + "'");
            if (m instanceof WorkerHello hello) {
                guard.accept(h, signer.session(), true, 0, false); // its freshness is the challenge's
                hello(h, hello);
                return;
            }
            if (m instanceof JoinAnswer answer) {
                guard.accept(h, signer.session(), false, 0, false);
                answer(h, answer);
                return;
            }
            RemoteWorker w = workers.get(h.from());
            if (w == null || !w.session.equals(h.fromSession()) || !w.alive()) {
                log.debug("ignored a {} from {}: not an admitted session of that worker", m.getClass().getSimpleName(), h.from());
                return;
            }
            guard.accept(h, signer.session(), false, w.clockAheadMicros(), true);
            w.heard();
            if (m instanceof CommandAck ack) w.acknowledged(ack.seq());
            else if (m instanceof ClockPong pong) w.pong(pong);
            else if (!(m instanceof WorkerHeartbeat)) runSink.accept(m);
        } catch (SecurityException e) {
            log.warn("refused a message from {}: {}", h.from(), e.getMessage());
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

    private static String sessionOf(String wire) {
        Envelope.Header h = Envelope.unverifiedHeader(wire);
        return h == null || h.fromSession() == null ? Envelope.ANY_SESSION : h.fromSession();
    }

    private static String versionProblem(WorkerHello h) {
        return "protocol version " + h.protocolVersion() + " (worker " + h.version() + ") does not match the coordinator's "
                + ProtocolCodec.PROTOCOL_VERSION + " (coordinator " + Version.current() + "): install the same tokensiege version on both";
    }

    /** A signed hello of the right protocol is answered with a challenge; admission waits for its answer. */
    private void hello(Envelope.Header h, WorkerHello hello) {
        if (hello.protocolVersion() != ProtocolCodec.PROTOCOL_VERSION) {
            refuse(hello, h.fromSession(), versionProblem(hello));
            return;
        }
        Candidate c = new Candidate(hello, h.fromSession(), MessageSigner.randomId(), System.nanoTime() + workerTimeoutNanos);
        candidates.put(hello.workerId() + "/" + h.fromSession(), c);
        log.debug("worker {} said hello from {}; challenged", hello.workerId(), hello.host());
        offer(hello.workerId(), signer.seal(hello.workerId(), h.fromSession(), new JoinChallenge("", "", c.challenge(), EpochMicros.now())).wire());
    }

    /** Admits the worker whose answer matches a challenge still pending for its session; a newer session of it replaces an older one. */
    private void answer(Envelope.Header h, JoinAnswer a) {
        Candidate c = candidates.remove(a.workerId() + "/" + h.fromSession());
        if (c == null || !c.challenge().equals(a.challenge()) || System.nanoTime() > c.expiresAtNanos()) {
            log.warn("refused a join answer from {}: no such challenge is pending for that session (a replay, or an answer after {} s)",
                    a.workerId(), TimeUnit.NANOSECONDS.toSeconds(workerTimeoutNanos));
            return;
        }
        RemoteWorker current = workers.get(a.workerId());
        if (current != null && current.alive() && current.session.equals(c.session())) { // a hello sent again before our welcome arrived
            current.send(new JoinReply("", "", true, "welcome", Version.current(), ProtocolCodec.PROTOCOL_VERSION));
            return;
        }
        RemoteWorker w = new RemoteWorker(c.hello(), c.session(), hz.getQueue(ClusterNames.toWorker(a.workerId())), signer);
        w.clockSample(a.coordinatorSentMicros(), a.workerMicros());
        RemoteWorker previous = workers.put(w.id, w);
        if (previous != null) previous.markLost("registered again (a new session replaced this one)");
        w.clearQueue();
        log.info("worker {} joined from {} ({} cores)", w.id, c.hello().host(), c.hello().cores());
        w.send(new JoinReply("", "", true, "welcome", Version.current(), ProtocolCodec.PROTOCOL_VERSION));
        clocks.joined(w);
    }

    private void refuse(WorkerHello h, String session, String problem) {
        log.warn("refused worker {} on {}: {}", h.workerId(), h.host(), problem);
        offer(h.workerId(), signer.seal(h.workerId(), session, new JoinReply("", "", false, problem, Version.current(), ProtocolCodec.PROTOCOL_VERSION)).wire());
    }

    private void offer(String workerId, String wire) {
        try {
            hz.<String>getQueue(ClusterNames.toWorker(workerId)).offer(wire);
        } catch (RuntimeException e) {
            log.warn("could not queue a message for worker {}: {}", workerId, e.getMessage());
        }
    }

    /** Forgets the challenges nobody answered within the worker timeout, saying so. */
    private void forgetUnansweredChallenges() {
        long timeoutSeconds = TimeUnit.NANOSECONDS.toSeconds(workerTimeoutNanos);
        long now = System.nanoTime();
        candidates.values().removeIf(c -> {
            if (now <= c.expiresAtNanos()) return false;
            log.warn("worker {} did not answer its join challenge within {} s: not admitted (a replayed hello of a worker that is gone, "
                    + "or a worker that cannot read its queue)", c.hello().workerId(), timeoutSeconds);
            return true;
        });
    }

    @Override
    public void close() {
        inbox.close();
        clock.shutdownNow();
        hz.shutdown();
    }
}
