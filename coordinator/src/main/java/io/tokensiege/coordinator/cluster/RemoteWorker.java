package io.tokensiege.coordinator.cluster;

import com.hazelcast.collection.IQueue;
import io.tokensiege.common.protocol.ClockPong;
import io.tokensiege.common.protocol.EpochMicros;
import io.tokensiege.common.protocol.WorkerHeartbeat;
import io.tokensiege.common.protocol.MessageSigner;
import io.tokensiege.common.protocol.ToWorker;
import io.tokensiege.common.protocol.WorkerHello;
import io.tokensiege.coordinator.run.WorkerLink;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker as the orchestrator sees it: one admitted session of it, reached through signed messages on
 * its own queue. Every message it is sent waits for an acknowledgement, and the worker sends a heartbeat
 * every second; see {@link ClusterCoordinator} for how a message left unacknowledged is judged.
 */
final class RemoteWorker implements WorkerLink {
    private static final Logger log = LoggerFactory.getLogger(RemoteWorker.class);
    private static final long CLOCK_WARN_MICROS = 10_000;

    final String id;
    final String session;
    final String clientUuid;
    private final WorkerHello hello;
    private final long joinedAtNanos = System.nanoTime();
    private final IQueue<String> queue;
    private final MessageSigner signer;
    private final Map<Long, Sent> unacknowledged = new LinkedHashMap<>(); // in send order: the first is the oldest
    private volatile boolean alive = true;
    private volatile String lostReason = "left the cluster";
    private volatile boolean lossEndsRun;
    private volatile long lastHeartbeatNanos = System.nanoTime();
    /** What the worker's inbox was doing by its newest heartbeat. */
    private volatile WorkerHeartbeat.InboxState inbox = WorkerHeartbeat.InboxState.IDLE;
    private volatile ClockSample clockSample = ClockSample.NONE; // offset and round trip replaced together
    private volatile boolean clockWarned;

    /** A message sent and not yet acknowledged: its sequence number, what it was, and when it went. */
    record Sent(long seq, String what, long atNanos) {}

    RemoteWorker(WorkerHello hello, String session, IQueue<String> queue, MessageSigner signer) {
        this.id = hello.workerId();
        this.hello = hello;
        this.session = session;
        this.clientUuid = hello.clientUuid();
        this.queue = queue;
        this.signer = signer;
    }

    @Override
    public String workerId() {
        return id;
    }

    @Override
    public int capacity() {
        return Math.max(1, hello.capacity());
    }

    /** Seals and queues under one lock, so the worker sees sequence numbers in queue order. Nothing goes to a lost worker. */
    @Override
    public synchronized void send(ToWorker message) {
        if (!alive) return;
        MessageSigner.Sealed sealed = signer.seal(id, session, message);
        unacknowledged.put(sealed.seq(), new Sent(sealed.seq(), describe(message), System.nanoTime()));
        try {
            queue.offer(sealed.wire());
        } catch (RuntimeException e) {
            log.warn("could not queue a message for worker {}: {}", id, e.getMessage());
        }
    }

    /**
     * Lists this worker ({@code list}) and queues its welcome as one step under the lock every send takes: whoever finds it
     * listed and sends to it (a clock ping, the run) waits until the welcome is queued, and a worker that has read its welcome
     * is already listed (a script that starts a run on seeing "joined" finds it).
     */
    synchronized void listAndWelcome(Runnable list, ToWorker welcome) {
        list.run();
        send(welcome);
    }

    synchronized void acknowledged(long seq) {
        unacknowledged.remove(seq);
    }

    /** The oldest message still unacknowledged after {@code limitNanos}, or null. */
    synchronized Sent overdue(long limitNanos) {
        if (unacknowledged.isEmpty()) return null;
        Sent oldest = unacknowledged.values().iterator().next();
        return System.nanoTime() - oldest.atNanos() > limitNanos ? oldest : null;
    }

    /**
     * A heartbeat of this session arrived. What counts is when the worker sent it, by our clock (its stamp less its measured
     * lead): a backlog read late must not look like a worker that kept beating after a message it never acknowledged. Only
     * heartbeats count, not acknowledgements: a worker reading its backlog acknowledges what it reads before the one it refuses.
     */
    void heartbeat(long issuedMicros, WorkerHeartbeat.InboxState inboxState) {
        long ageNanos = Math.max(0, EpochMicros.now() - (issuedMicros - clockAheadMicros())) * 1000;
        long sentNanos = System.nanoTime() - ageNanos;
        if (sentNanos < lastHeartbeatNanos) return; // one writer: the inbox thread
        lastHeartbeatNanos = sentNanos;
        inbox = inboxState;
    }

    /** What the worker's inbox was doing when it sent its newest heartbeat. */
    WorkerHeartbeat.InboxState inbox() {
        return inbox;
    }

    /** When (System.nanoTime) the newest heartbeat heard from this session was sent. */
    long lastHeartbeatNanos() {
        return lastHeartbeatNanos;
    }

    void markLost(String reason) {
        markLost(reason, false);
    }

    synchronized void markLost(String reason, boolean endsRun) {
        if (!alive) return;
        lostReason = reason;
        lossEndsRun = endsRun;
        alive = false;
        unacknowledged.clear();
    }

    void clearQueue() {
        queue.clear(); // whatever a previous session of this worker left unread is addressed to it, not to this one
    }

    @Override
    public boolean alive() {
        return alive;
    }

    @Override
    public String lostReason() {
        return lostReason;
    }

    @Override
    public boolean lossEndsRun() {
        return lossEndsRun;
    }

    long joinedAtNanos() {
        return joinedAtNanos;
    }

    /** The measured offset only when it exceeds its own error bound (half the round trip): correcting by noise adds skew. */
    @Override
    public long clockOffsetMicros() {
        ClockSample sample = clockSample;
        return sample.beyondErrorMicros() > 0 ? sample.offsetMicros() : 0;
    }

    /** Our best estimate of the worker's clock minus ours, to judge the age of what it sends. */
    long clockAheadMicros() {
        ClockSample sample = clockSample;
        return sample == ClockSample.NONE ? 0 : sample.offsetMicros();
    }

    /**
     * offset = worker clock - (sent + rtt / 2); the sample with the smallest round trip wins (its midpoint
     * guess is the tightest: the error is at most half that round trip). Warns once when the offset exceeds
     * that bound by more than {@link #CLOCK_WARN_MICROS}.
     */
    void clockSample(long coordinatorSentMicros, long workerMicros) {
        long rtt = EpochMicros.now() - coordinatorSentMicros;
        if (rtt >= clockSample.rttMicros()) return;
        clockSample = new ClockSample(workerMicros - (coordinatorSentMicros + rtt / 2), rtt);
        if (clockSample.beyondErrorMicros() > CLOCK_WARN_MICROS && !clockWarned) {
            clockWarned = true;
            log.warn("worker {}'s clock is off by {} ms (round trip {} ms): start instants and interval alignment suffer; run NTP on it",
                    id, clockSample.offsetMicros() / 1000, rtt / 1000);
        }
    }

    void pong(ClockPong p) {
        clockSample(p.coordinatorSentMicros(), p.workerMicros());
    }

    Map<String, Object> describe() {
        ClockSample sample = clockSample;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("host", hello.host());
        m.put("cores", hello.cores());
        m.put("capacity", capacity());
        m.put("alive", alive);
        if (!alive) m.put("lost_reason", lostReason);
        m.put("clock_offset_ms", sample.offsetMicros() / 1000.0);
        m.put("clock_rtt_ms", sample == ClockSample.NONE ? -1.0 : sample.rttMicros() / 1000.0);
        return m;
    }

    private static String describe(ToWorker m) {
        String kind = m.getClass().getSimpleName();
        return m.stepId() == null || m.stepId().isEmpty() ? kind : kind + " of step " + m.stepId();
    }

    /** The best clock sample so far: worker clock minus coordinator clock, and the round trip that bounds its error. */
    private record ClockSample(long offsetMicros, long rttMicros) {
        static final ClockSample NONE = new ClockSample(0, Long.MAX_VALUE);

        /** How far the offset exceeds its own error bound (half the round trip); not positive when it may be noise. */
        long beyondErrorMicros() {
            return Math.abs(offsetMicros) - rttMicros / 2;
        }
    }
}
