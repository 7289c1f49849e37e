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
import io.tokensiege.common.protocol.JoinAnswer;
import io.tokensiege.common.protocol.MessageSigner;
import io.tokensiege.common.protocol.ProtocolCodec;
import io.tokensiege.common.protocol.ReplayGuard;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.protocol.ToCoordinator;
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
 * <p>Admission ({@link Admission}): a worker's signed hello is answered with a one-time challenge, and only a signed answer
 * from the hello's session, within the worker timeout, admits it. Every message either way passes the {@link ReplayGuard}.
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
 * <p>Here: the routing of messages. Apart: admission ({@link Admission}), the inbox loop ({@link InboxLoop}), clock sync
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

    private final HazelcastInstance hz;
    private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "coordinator-clock");
        t.setDaemon(true);
        return t;
    });
    private final SecretBox secrets;
    private final MessageSigner signer;
    private final ReplayGuard guard = new ReplayGuard(ID);
    private final InboxLoop inbox;
    private final ClockSync clocks;
    private final Map<String, RemoteWorker> workers = new ConcurrentHashMap<>();
    private final Admission admission;
    private volatile Consumer<ToCoordinator> runSink = m -> {};

    public ClusterCoordinator(Settings settings, String token) {
        this.secrets = new SecretBox(token);
        this.signer = new MessageSigner(secrets, ID);
        long workerTimeoutNanos = TimeUnit.SECONDS.toNanos(settings.clientTimeoutSeconds());
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
        this.admission = new Admission(signer, workerTimeoutNanos, workers, id -> hz.getQueue(ClusterNames.toWorker(id)), clocks::joined);
        clock.scheduleAtFixedRate(new LossWatch(workers::values, workerTimeoutNanos), WATCHDOG_MILLIS, WATCHDOG_MILLIS, TimeUnit.MILLISECONDS);
        clock.scheduleAtFixedRate(admission::forgetUnanswered, WATCHDOG_MILLIS, WATCHDOG_MILLIS, TimeUnit.MILLISECONDS);
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
            admission.refuseUnverified(wire, e);
            return;
        }
        Envelope.Header h = opened.header();
        ToCoordinator m = ProtocolCodec.decodeToCoordinator(opened.body());
        try {
            if (!h.from().equals(m.workerId())) throw new SecurityException("it names worker '" + m.workerId() + "' but was sent by '" + h.from() + "'");
            if (m instanceof WorkerHello hello) {
                guard.accept(h, signer.session(), true, 0, false); // its freshness is the challenge's
                admission.hello(h, hello);
                return;
            }
            if (m instanceof JoinAnswer answer) {
                guard.accept(h, signer.session(), false, 0, false);
                admission.answer(h, answer);
                return;
            }
            RemoteWorker w = workers.get(h.from());
            if (w == null || !w.session.equals(h.fromSession()) || !w.alive()) {
                log.debug("ignored a {} from {}: not an admitted session of that worker", m.getClass().getSimpleName(), h.from());
                return;
            }
            guard.accept(h, signer.session(), false, w.clockAheadMicros(), true);
            if (m instanceof CommandAck ack) w.acknowledged(ack.seq());
            else if (m instanceof ClockPong pong) w.pong(pong);
            else if (m instanceof WorkerHeartbeat beat) w.heartbeat(h.issuedMicros(), new WorkerHeartbeat.InboxState(beat.inboxBusySeq(), beat.inboxBusyMillis()));
            else runSink.accept(m);
        } catch (SecurityException e) {
            log.warn("refused a message from {}: {}", h.from(), e.getMessage());
        }
    }

    @Override
    public void close() {
        inbox.close();
        clock.shutdownNow();
        hz.shutdown();
    }
}
