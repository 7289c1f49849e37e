package io.tokensiege.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.tokensiege.common.protocol.ClockPing;
import io.tokensiege.common.protocol.Envelope;
import io.tokensiege.common.protocol.EpochMicros;
import io.tokensiege.common.protocol.JoinAnswer;
import io.tokensiege.common.protocol.JoinChallenge;
import io.tokensiege.common.protocol.JoinReply;
import io.tokensiege.common.protocol.MessageSigner;
import io.tokensiege.common.protocol.ProtocolCodec;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.protocol.ToWorker;
import io.tokensiege.common.protocol.WorkerHello;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Who is admitted, and in what state a worker's queue is when the rest of the coordinator can first reach it. */
class AdmissionTest {
    private static final SecretBox BOX = new SecretBox("admission-test-token-0123456789");
    private static final String WORKER = "w2";

    private final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
    private final MessageSigner coordinator = new MessageSigner(BOX, "coordinator");
    private final List<RemoteWorker> admittedWorkers = new ArrayList<>();

    @Test
    void aWorkerThatSaysHelloTwiceBeforeAnswering_isAdmittedByItsFirstAnswer_once() {
        // A resumed worker says hello from its dead-man rule and again on reconnecting, in one session, within milliseconds.
        ConcurrentHashMap<String, RemoteWorker> workers = new ConcurrentHashMap<>();
        Admission admission = admission(workers);
        String session = MessageSigner.randomId();
        admission.hello(header(session), hello());
        admission.hello(header(session), hello());
        List<JoinChallenge> challenges = drain(JoinChallenge.class);
        assertThat(challenges).hasSize(2);

        admission.answer(header(session), answer(challenges.get(0)));
        admission.answer(header(session), answer(challenges.get(1)));

        assertThat(admittedWorkers).hasSize(1);
        assertThat(workers.get(WORKER).session).isEqualTo(session);
        assertThat(workers.get(WORKER).alive()).isTrue();
        assertThat(drain(JoinReply.class)).singleElement().satisfies(r -> assertThat(r.accepted()).isTrue());
    }

    @Test
    void anAnswerToNoPendingChallenge_admitsNobody() {
        Admission admission = admission(new ConcurrentHashMap<>());
        String session = MessageSigner.randomId();
        admission.hello(header(session), hello());
        JoinChallenge real = drain(JoinChallenge.class).get(0);

        admission.answer(header(session), answer(new JoinChallenge("", "", MessageSigner.randomId(), real.coordinatorSentMicros())));
        admission.answer(header(MessageSigner.randomId()), answer(real)); // the right challenge from another session

        assertThat(admittedWorkers).isEmpty();
        admission.answer(header(session), answer(real)); // a wrong guess did not cancel the real challenge
        assertThat(admittedWorkers).hasSize(1);
    }

    @Test
    void aReadmittedWorker_isListedBeforeItsWelcome_andFindsItsWelcomeFirst_evenWhenPingedTheInstantItIsListed() throws Exception {
        // ClockSync pings every alive worker every 2 s from its own thread: here it tries the moment the new session is listed,
        // and is held until the welcome is queued. Whatever the queue holds when the worker is listed, the worker has not read.
        List<Thread> pingers = new ArrayList<>();
        List<Integer> queuedWhenListed = new ArrayList<>();
        ConcurrentHashMap<String, RemoteWorker> workers = new ConcurrentHashMap<>() {
            @Override
            public RemoteWorker put(String id, RemoteWorker w) {
                RemoteWorker previous = super.put(id, w);
                queuedWhenListed.add(queue.size());
                Thread pinger = new Thread(() -> w.send(new ClockPing("", "", EpochMicros.now())), "clock-sync");
                pinger.start();
                pingers.add(pinger);
                awaitBlockedOrDone(pinger); // it has tried to send before the welcome could go
                return previous;
            }
        };
        Admission admission = admission(workers);
        admit(admission, MessageSigner.randomId());
        for (Thread t : pingers) t.join(10_000);
        RemoteWorker old = workers.get(WORKER);
        queue.clear();
        String newSession = MessageSigner.randomId();
        admission.hello(header(newSession), hello());
        JoinChallenge challenge = drain(JoinChallenge.class).get(0);
        old.send(new ClockPing("", "", EpochMicros.now())); // sent to the old session while the worker was away, still unread

        admission.answer(header(newSession), answer(challenge));
        for (Thread t : pingers) t.join(10_000);

        assertThat(queuedWhenListed).as("messages queued when each session was listed: not yet its welcome").containsOnly(0);
        assertThat(old.alive()).isFalse();
        assertThat(old.lostReason()).contains("registered again");
        List<Envelope.Opened> left = new ArrayList<>();
        for (String wire = queue.poll(); wire != null; wire = queue.poll()) left.add(Envelope.open(BOX, wire));
        assertThat(left).as("the new session's queue: its welcome, then the ping; nothing of the old session")
                .extracting(o -> ProtocolCodec.decodeToWorker(o.body()).getClass().getSimpleName(), o -> o.header().toSession())
                .containsExactly(tuple("JoinReply", newSession), tuple("ClockPing", newSession));
    }

    @Test
    void aHelloFromASessionAlreadyAdmitted_isNotChallengedAgain() {
        Admission admission = admission(new ConcurrentHashMap<>());
        String session = MessageSigner.randomId();
        admit(admission, session);
        queue.clear();

        admission.hello(header(session), hello()); // the worker's retry, sent before it read its welcome

        assertThat(queue).isEmpty();
        assertThat(admittedWorkers).hasSize(1);
    }

    /** Waits (bounded) until the thread is blocked on a lock or has finished. */
    private static void awaitBlockedOrDone(Thread t) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.getState() != Thread.State.BLOCKED && t.getState() != Thread.State.TERMINATED && System.nanoTime() < deadline) Thread.onSpinWait();
    }

    private Admission admission(ConcurrentHashMap<String, RemoteWorker> workers) {
        return new Admission(coordinator, TimeUnit.SECONDS.toNanos(5), workers, id -> InMemoryQueue.over(queue), admittedWorkers::add);
    }

    private void admit(Admission admission, String session) {
        admission.hello(header(session), hello());
        JoinChallenge challenge = drain(JoinChallenge.class).get(0);
        admission.answer(header(session), answer(challenge));
    }

    private <T> List<T> drain(Class<T> kind) {
        List<T> found = new ArrayList<>();
        for (String wire = queue.poll(); wire != null; wire = queue.poll()) {
            ToWorker m = ProtocolCodec.decodeToWorker(Envelope.open(BOX, wire).body());
            if (kind.isInstance(m)) found.add(kind.cast(m));
        }
        return found;
    }

    private static Envelope.Header header(String workerSession) {
        return new Envelope.Header(WORKER, workerSession, "coordinator", Envelope.ANY_SESSION, 1, EpochMicros.now(), MessageSigner.randomId());
    }

    private static WorkerHello hello() {
        return new WorkerHello("", "", WORKER, "host-2", 2, 1, "test", ProtocolCodec.PROTOCOL_VERSION, "client-uuid");
    }

    private static JoinAnswer answer(JoinChallenge c) {
        return new JoinAnswer("", "", WORKER, c.challenge(), c.coordinatorSentMicros(), EpochMicros.now());
    }
}
