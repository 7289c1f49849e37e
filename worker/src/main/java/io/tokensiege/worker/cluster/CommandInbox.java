package io.tokensiege.worker.cluster;

import io.tokensiege.common.protocol.InboxLoop;
import io.tokensiege.common.protocol.Envelope;
import io.tokensiege.common.protocol.JoinChallenge;
import io.tokensiege.common.protocol.JoinReply;
import io.tokensiege.common.protocol.MessageSigner;
import io.tokensiege.common.protocol.ProtocolCodec;
import io.tokensiege.common.protocol.ReplayGuard;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.protocol.ToWorker;
import io.tokensiege.common.protocol.WorkerHeartbeat;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's queue, read on a thread of its own: opens each message, and hands on only what the coordinator
 * session that admitted this worker signed, each once ({@link ReplayGuard}). A join challenge and the join reply are
 * the exceptions a worker not yet admitted must read; anything unverifiable goes to {@link Commands#unverified}.
 */
final class CommandInbox {
    private static final Logger log = LoggerFactory.getLogger(CommandInbox.class);
    private static final String COORDINATOR = "coordinator";

    /** What the worker does with what it read. */
    interface Commands {
        void challenge(Envelope.Header h, JoinChallenge c);

        void joinReply(JoinReply reply);

        /** A command of the admitting session (a join reply included), verified and accepted once. */
        void command(Envelope.Header h, ToWorker message);

        /** A message whose signature did not verify; returns whether it was handled (a refusal at join). */
        boolean unverified(String wire);
    }

    private final InboxLoop.Poll queue;
    private final SecretBox secrets;
    private final MessageSigner signer;
    private final ReplayGuard guard;
    private final Registration registration;
    private final Commands commands;
    /** Held while a message is checked and obeyed, and by {@link #exclusive}. */
    private final ReentrantLock obeying = new ReentrantLock();
    /** The message being checked and obeyed, or null while polling: heartbeats tell a stuck inbox by it. */
    private volatile Busy busy;
    private InboxLoop loop;

    /** @param queue the worker's cluster queue, polled on the inbox's own thread */
    CommandInbox(InboxLoop.Poll queue, SecretBox secrets, MessageSigner signer, ReplayGuard guard, Registration registration, Commands commands) {
        this.queue = queue;
        this.secrets = secrets;
        this.signer = signer;
        this.guard = guard;
        this.registration = registration;
        this.commands = commands;
    }

    void start(String workerId) {
        loop = InboxLoop.start("worker-inbox-" + workerId, queue, this::receive, e -> log.warn("refused a command: {}", e.getMessage()));
    }

    void stop() {
        if (loop != null) loop.close();
    }

    /**
     * Runs {@code action} while no message is being checked or obeyed, waiting at most {@code waitMillis} for one to end;
     * returns false, without running it, when the inbox is still busy then. Dropping the session goes through here: a
     * command checked against the old session is then obeyed before the drop (and aborted with the rest) or refused after
     * it, never obeyed after it. Obeyed after it, an assignment held warm connections to the target for a step nobody
     * starts. Bounded, so a command that never returns cannot hold the watchdog (and its dead-man rule) with it.
     */
    boolean exclusive(Runnable action, long waitMillis) {
        try {
            if (!obeying.tryLock(waitMillis, TimeUnit.MILLISECONDS)) return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        try {
            action.run();
            return true;
        } finally {
            obeying.unlock();
        }
    }

    private void receive(String wire) {
        Envelope.Opened opened;
        try {
            opened = Envelope.open(secrets, wire);
        } catch (SecurityException e) {
            if (!commands.unverified(wire)) log.warn("refused a command: {}", e.getMessage());
            return;
        }
        Envelope.Header h = opened.header();
        ToWorker message = ProtocolCodec.decodeToWorker(opened.body());
        busy = new Busy(h.seq(), System.nanoTime());
        try {
            obeying.lock();
            try {
                obey(h, message);
            } finally {
                obeying.unlock();
            }
        } catch (SecurityException e) {
            log.warn("refused a command ({}): {}", message.getClass().getSimpleName(), e.getMessage());
        } finally {
            busy = null;
        }
    }

    /** The message the inbox is checking and obeying (waiting for {@link #exclusive} included), and for how long; idle while it polls. */
    WorkerHeartbeat.InboxState state() {
        Busy b = busy;
        return b == null ? WorkerHeartbeat.InboxState.IDLE
                : new WorkerHeartbeat.InboxState(b.seq, Math.max(0, (System.nanoTime() - b.sinceNanos) / 1_000_000));
    }

    private record Busy(long seq, long sinceNanos) {}

    /** Hands on {@code message} if the coordinator session this worker registered with sent it, fresh and once; else throws. */
    private void obey(Envelope.Header h, ToWorker message) {
        if (!COORDINATOR.equals(h.from())) throw new SecurityException("sent by '" + h.from() + "', not by the coordinator");
        if (message instanceof JoinChallenge c) {
            commands.challenge(h, c);
            return;
        }
        if (!registration.isFrom(h.fromSession())) {
            throw new SecurityException("from a coordinator session this worker is not registered with (it is registering again, or a restarted coordinator's leftovers, or a replay)");
        }
        guard.accept(h, signer.session(), false, registration.coordinatorAheadMicros(), true);
        if (registration.silentTooLong() || registration.isDropping()) {
            throw new SecurityException("the coordinator was silent too long, or lost: this session is being dropped (dead-man rule), and the"
                    + " worker registers again");
        }
        if (message instanceof JoinReply reply) {
            commands.joinReply(reply);
        } else if (registration.admittedSession() == null) {
            throw new SecurityException("a " + message.getClass().getSimpleName() + " before this worker was admitted");
        }
        commands.command(h, message);
    }
}
