package io.tokensiege.worker.cluster;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.LifecycleEvent.LifecycleState;
import io.tokensiege.common.cluster.ClusterNames;
import io.tokensiege.common.cluster.MulticastGroup;
import io.tokensiege.common.protocol.ClockPing;
import io.tokensiege.common.protocol.CommandAck;
import io.tokensiege.common.protocol.Envelope;
import io.tokensiege.common.protocol.JoinChallenge;
import io.tokensiege.common.protocol.JoinReply;
import io.tokensiege.common.protocol.MessageSigner;
import io.tokensiege.common.protocol.ProtocolCodec;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
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
    private static final long WATCHDOG_MILLIS = 1000; // also the heartbeat period
    /** How long dropping the session waits for the command being obeyed (building a step's lanes takes well under this). */
    private static final long INBOX_WAIT_MILLIS = 2000;
    private static final long HELLO_RETRY_NANOS = TimeUnit.SECONDS.toNanos(5);

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
    private final Registration registration;
    private final WorkerAgent agent;
    private final Outbox outbox;
    private final ClockAnswers clock;
    private final CommandInbox inbox;
    private final String workerId;
    private final String hostName;
    private final JoinOutcome join;
    private volatile boolean running = true;
    private volatile boolean disconnected;
    /** The inbox was found stuck on a command, and the log said so: said once per episode, not at every watchdog tick. */
    private volatile boolean inboxStuckSaid;
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "worker-watchdog"));

    /** Connects (bounded by {@code giveUpMillis}; an IllegalStateException when no cluster answered) and says hello. */
    public ClusterWorker(Vertx vertx, Settings settings, String token) throws Exception {
        this.settings = settings;
        this.registration = new Registration(TimeUnit.MILLISECONDS.toNanos(settings.silenceMillis()));
        this.secrets = new SecretBox(token);
        this.workerId = settings.workerId();
        this.signer = new MessageSigner(secrets, workerId);
        this.guard = new ReplayGuard(workerId);
        this.hostName = InetAddress.getLocalHost().getHostName();
        this.join = new JoinOutcome(registration, this::abortAllOnGivingUp); // before the client: its lifecycle may give up
        this.client = HazelcastClient.newHazelcastClient(WorkerClientConfig.of(settings, this::lifecycle));
        this.outbox = new Outbox(signer, client.getQueue(ClusterNames.TO_COORDINATOR));
        this.clock = new ClockAnswers(workerId, registration, guard, signer, outbox);
        LocalLog localLog = settings.dataDir() == null ? null : new LocalLog(settings.dataDir());
        this.agent = new WorkerAgent(vertx, workerId, secrets, m -> {
            if (localLog != null) localLog.record(m).ifPresent(this::send); // a local copy that could not be written is the run's news too
            send(m);
        }, settings.allowTargets()).keepRecordsIn(settings.dataDir());
        this.inbox = new CommandInbox(client.<String>getQueue(ClusterNames.toWorker(workerId))::poll, secrets, signer, guard, registration, new CommandInbox.Commands() {
            @Override
            public void challenge(Envelope.Header h, JoinChallenge c) {
                clock.challenge(h, c);
            }

            @Override
            public void joinReply(JoinReply reply) {
                join.reply(reply);
            }

            @Override
            public void command(Envelope.Header h, ToWorker message) {
                ClusterWorker.this.command(h, message);
            }

            @Override
            public boolean unverified(String wire) {
                return join.refusal(wire);
            }
        });
        inbox.start(workerId);
        watchdog.scheduleAtFixedRate(this::watch, WATCHDOG_MILLIS, WATCHDOG_MILLIS, TimeUnit.MILLISECONDS);
        registration.helloSent();
        hello();
    }

    /** Completes with the coordinator's first answer: accepted, or refused with why. */
    public CompletableFuture<JoinReply> joined() {
        return join.joined();
    }

    /** Completes, with what was tried, when this worker gives up on finding a coordinator. */
    public CompletableFuture<String> gaveUp() {
        return join.gaveUp();
    }

    public String workerId() {
        return workerId;
    }

    private void hello() {
        outbox.send(Envelope.ANY_SESSION, new WorkerHello("", "", workerId, hostName, Runtime.getRuntime().availableProcessors(), settings.capacity(),
                Version.current(), ProtocolCodec.PROTOCOL_VERSION, client.getLocalEndpoint().getUuid().toString()));
    }

    /** A run message: goes only to the coordinator session that admitted this worker (dead-man: nothing otherwise). */
    private void send(ToCoordinator message) {
        String session = registration.admittedSession();
        if (running && session != null) outbox.send(session, message);
    }

    /** A verified command of the admitting coordinator: acknowledged, then answered (a clock ping) or obeyed. */
    private void command(Envelope.Header h, ToWorker message) {
        if (!running) return; // closed: its steps were aborted, and nothing more is obeyed
        registration.heard();
        outbox.send(h.fromSession(), new CommandAck(message.runId(), message.stepId(), workerId, h.seq()));
        if (message instanceof ClockPing ping) clock.ping(h, ping);
        else if (!(message instanceof JoinReply)) agent.onMessage(message);
    }

    /** Heartbeats while admitted, dead-man on silence, hellos until admitted, and giving up when nobody admits this worker. */
    private void watch() {
        if (!running) return;
        if (registration.isDropping()) { // a drop that waited for a command in the inbox: again, quietly, until it is done
            startOver("coordinator silent or lost");
            return;
        }
        // The dead-man check comes first: a heartbeat of a session about to be dropped, sent after commands it will now refuse,
        // would tell the coordinator that this worker is alive but not getting them (a drained queue, which ends the run).
        if (registration.silentTooLong()) {
            log.warn("no message from the coordinator for {} s: stopping every step (dead-man rule) and registering again",
                    TimeUnit.NANOSECONDS.toSeconds(registration.silentNanos()));
            startOver("coordinator silent");
            return;
        }
        String session = registration.admittedSession();
        if (session != null) outbox.send(session, WorkerHeartbeat.of(workerId, inbox.state()));
        if (!disconnected && registration.helloDue(HELLO_RETRY_NANOS)) hello();
        if (registration.unadmittedNanos() > TimeUnit.MILLISECONDS.toNanos(settings.giveUpMillis())) {
            join.giveUp("no coordinator admitted this worker for " + settings.giveUpMillis() / 1000 + " s (tried " + settings.where() + ", cluster '"
                    + settings.clusterName() + "': " + registration.hellos() + " hello(s) sent, "
                    + (disconnected ? "no cluster connection at the end" : "none answered") + ")");
        }
    }

    /**
     * Stops every step and registers again in a new session, so nothing addressed to the old one is obeyed; while no
     * command is being obeyed ({@link CommandInbox#exclusive}), so none read for the old session is obeyed after this.
     * The steps stop first, whatever the inbox does: a command that never returns must not keep load on the target. The
     * session is then dropped once the inbox is free, tried again at every watchdog tick until it is.
     */
    private void startOver(String reason) {
        registration.dropping(); // from now on nothing of this session is obeyed, whenever the inbox gets free
        agent.abortAll(reason);
        boolean dropped = inbox.exclusive(() -> {
            if (registration.cancel()) signer.newSession();
            agent.abortAll(reason); // whatever the command in progress started
        }, INBOX_WAIT_MILLIS);
        if (!dropped) {
            if (!inboxStuckSaid) {
                WorkerHeartbeat.InboxState s = inbox.state();
                log.error("the inbox has been obeying command {} for {} ms and does not return: every step is stopped, and this worker registers"
                        + " again once it does", s.seq(), s.millis());
            }
            inboxStuckSaid = true;
            return;
        }
        inboxStuckSaid = false;
        if (!disconnected) {
            registration.helloSent();
            hello();
        }
    }

    private void abortAllOnGivingUp() {
        if (agent != null) agent.abortAll("giving up"); // null: the client gave up before this worker was built, so nothing runs
    }

    private void lifecycle(LifecycleEvent event) {
        if (!running) return;
        LifecycleState state = event.getState();
        if (state == LifecycleState.CLIENT_DISCONNECTED) {
            disconnected = true;
            log.error("lost the coordinator: stopping every step now (dead-man rule)");
            if (inbox != null) startOver("coordinator lost"); // null: still being built, so nothing runs yet
        } else if (state == LifecycleState.CLIENT_CONNECTED && disconnected) {
            disconnected = false;
            log.info("reconnected to the cluster {}: registering again", settings.where());
            if (registration.isDropping()) return; // the old session is still being dropped: the watchdog says hello once it is
            registration.helloSent();
            hello();
        } else if (state == LifecycleState.SHUTDOWN) {
            join.giveUp("the cluster client stopped trying to reach the coordinator " + settings.where() + " (cluster '" + settings.clusterName()
                    + "') after " + settings.giveUpMillis() / 1000 + " s");
        }
    }

    @Override
    public void close() {
        inbox.stop();
        running = false;
        agent.abortAll("worker shutting down");
        inbox.exclusive(() -> agent.abortAll("worker shutting down"), INBOX_WAIT_MILLIS); // and what a command in progress started
        watchdog.shutdownNow();
        outbox.close();
        client.shutdown();
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
