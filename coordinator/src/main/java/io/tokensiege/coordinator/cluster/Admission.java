package io.tokensiege.coordinator.cluster;

import com.hazelcast.collection.IQueue;
import io.tokensiege.common.protocol.Envelope;
import io.tokensiege.common.protocol.EpochMicros;
import io.tokensiege.common.protocol.JoinAnswer;
import io.tokensiege.common.protocol.JoinChallenge;
import io.tokensiege.common.protocol.JoinReply;
import io.tokensiege.common.protocol.MessageSigner;
import io.tokensiege.common.protocol.ProtocolCodec;
import io.tokensiege.common.protocol.Version;
import io.tokensiege.common.protocol.WorkerHello;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may join: a worker's signed hello is answered with a one-time challenge, and only a signed answer from the hello's
 * session, within the worker timeout, admits it (a replayed hello of a worker that is gone admits nobody). A hello of
 * another protocol, or under another cluster token, is answered with why it was refused.
 */
final class Admission {
    private static final Logger log = LoggerFactory.getLogger(Admission.class);

    /** A worker that said hello and was sent a challenge, not yet admitted. */
    private record Candidate(WorkerHello hello, String session, String challenge, long expiresAtNanos) {
        boolean expired() {
            return System.nanoTime() > expiresAtNanos;
        }
    }

    private final MessageSigner signer;
    private final long workerTimeoutNanos;
    private final Map<String, RemoteWorker> workers;
    private final Function<String, IQueue<String>> queueOf;
    private final Consumer<RemoteWorker> admitted;
    private final Map<String, Candidate> candidates = new ConcurrentHashMap<>();

    /**
     * @param workers  the registry an admitted worker is put in (replacing an older session of it)
     * @param queueOf  a worker's queue, by its id
     * @param admitted told of each worker admitted, after its welcome was sent
     */
    Admission(MessageSigner signer, long workerTimeoutNanos, Map<String, RemoteWorker> workers, Function<String, IQueue<String>> queueOf,
              Consumer<RemoteWorker> admitted) {
        this.signer = signer;
        this.workerTimeoutNanos = workerTimeoutNanos;
        this.workers = workers;
        this.queueOf = queueOf;
        this.admitted = admitted;
    }

    /**
     * A signed hello of the right protocol is answered with a challenge; admission waits for its answer. A session that
     * says hello again before answering (a resumed worker does, from its dead-man rule and its reconnection at once) gets
     * the challenge still pending for it (with a fresh deadline), so whichever answer comes first admits it; a session
     * already admitted is not challenged again.
     */
    void hello(Envelope.Header h, WorkerHello hello) {
        if (hello.protocolVersion() != ProtocolCodec.PROTOCOL_VERSION) {
            refuse(hello, h.fromSession(), versionProblem(hello));
            return;
        }
        if (admittedIn(hello.workerId(), h.fromSession())) {
            log.debug("ignored a hello from {}: that session is already admitted", hello.workerId());
            return;
        }
        Candidate c = candidates.compute(hello.workerId() + "/" + h.fromSession(), (key, pending) -> {
            String challenge = pending != null && !pending.expired() ? pending.challenge() : MessageSigner.randomId();
            return new Candidate(hello, h.fromSession(), challenge, System.nanoTime() + workerTimeoutNanos);
        });
        log.debug("worker {} said hello from {}; challenged", hello.workerId(), hello.host());
        offer(hello.workerId(), signer.seal(hello.workerId(), h.fromSession(), new JoinChallenge("", "", c.challenge(), EpochMicros.now())).wire());
    }

    /**
     * Admits the worker whose answer matches the challenge pending for its session; a newer session of it replaces an older
     * one. Its queue is cleared before the new session is listed, and its welcome goes first: a ping queued before the welcome
     * would be refused by the worker, or cleared away, and a message left unacknowledged while heartbeats come reads as a
     * drained queue, which ends the run. It is listed before the welcome goes, so a worker that has read its welcome is
     * always found listed.
     */
    void answer(Envelope.Header h, JoinAnswer a) {
        String key = a.workerId() + "/" + h.fromSession();
        Candidate c = candidates.get(key);
        if (c == null || !c.challenge().equals(a.challenge()) || c.expired()) {
            if (admittedIn(a.workerId(), h.fromSession())) {
                log.debug("ignored a second join answer from {}: that session is already admitted", a.workerId());
            } else {
                log.warn("refused a join answer from {}: no such challenge is pending for that session (a replay, or an answer after {} s)",
                        a.workerId(), TimeUnit.NANOSECONDS.toSeconds(workerTimeoutNanos));
            }
            return;
        }
        candidates.remove(key, c);
        RemoteWorker w = new RemoteWorker(c.hello(), c.session(), queueOf.apply(a.workerId()), signer);
        w.clockSample(a.coordinatorSentMicros(), a.workerMicros());
        RemoteWorker previous = workers.get(w.id);
        if (previous != null) previous.markLost("registered again (a new session replaced this one)"); // it sends nothing more
        w.clearQueue();
        w.listAndWelcome(() -> workers.put(w.id, w), welcome());
        log.info("worker {} joined from {} ({} cores)", w.id, c.hello().host(), c.hello().cores());
        admitted.accept(w);
    }

    private boolean admittedIn(String workerId, String session) {
        RemoteWorker current = workers.get(workerId);
        return current != null && current.alive() && current.session.equals(session);
    }

    /**
     * A message that failed verification: a hello under another token (or protocol) still gets an answer saying why;
     * anything else is dropped, and logged as refused.
     */
    void refuseUnverified(String wire, SecurityException why) {
        WorkerHello foreign = unverifiedHello(wire);
        if (foreign == null) {
            log.warn("refused a message: {}", why.getMessage());
            return;
        }
        refuse(foreign, sessionOf(wire), foreign.protocolVersion() != ProtocolCodec.PROTOCOL_VERSION ? versionProblem(foreign) : "wrong cluster token");
    }

    /** Forgets the challenges nobody answered within the worker timeout, saying so. */
    void forgetUnanswered() {
        long timeoutSeconds = TimeUnit.NANOSECONDS.toSeconds(workerTimeoutNanos);
        candidates.values().removeIf(c -> {
            if (!c.expired()) return false;
            log.warn("worker {} did not answer its join challenge within {} s: not admitted (a replayed hello of a worker that is gone, "
                    + "or a worker that cannot read its queue)", c.hello().workerId(), timeoutSeconds);
            return true;
        });
    }

    private static JoinReply welcome() {
        return new JoinReply("", "", true, "welcome", Version.current(), ProtocolCodec.PROTOCOL_VERSION);
    }

    private void refuse(WorkerHello h, String session, String problem) {
        log.warn("refused worker {} on {}: {}", h.workerId(), h.host(), problem);
        offer(h.workerId(), signer.seal(h.workerId(), session, new JoinReply("", "", false, problem, Version.current(), ProtocolCodec.PROTOCOL_VERSION)).wire());
    }

    private void offer(String workerId, String wire) {
        try {
            queueOf.apply(workerId).offer(wire);
        } catch (RuntimeException e) {
            log.warn("could not queue a message for worker {}: {}", workerId, e.getMessage());
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
}
