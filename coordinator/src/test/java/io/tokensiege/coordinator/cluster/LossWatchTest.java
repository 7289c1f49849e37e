package io.tokensiege.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.protocol.ClockPing;
import io.tokensiege.common.protocol.EpochMicros;
import io.tokensiege.common.protocol.MessageSigner;
import io.tokensiege.common.protocol.ProtocolCodec;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.protocol.WorkerHeartbeat;
import io.tokensiege.common.protocol.WorkerHello;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;

/** The verdicts on a worker: one that kept beating after a message it never acknowledged (drained queue), one that fell silent, and none after a stall of the coordinator. */
class LossWatchTest {
    /** Small enough that a message is overdue at once; the "heard since" margin is then 1 ns. */
    private static final long TIMEOUT_NANOS = 2;
    private static final long MILLISECOND_NANOS = 1_000_000;
    /** The watch's own clock, standing still: it ran a moment ago (with a 2 ns timeout, any real gap would count as a stall). */
    private static final LongSupplier NEVER_STALLED = () -> 0;

    @Test
    void aHeartbeatSentAfterTheUnacknowledgedMessage_meansItsQueueIsDrained_andTheRunEnds() {
        RemoteWorker w = worker();
        w.send(new ClockPing("", "", EpochMicros.now()));
        waitPast(MILLISECOND_NANOS);
        w.heartbeat(EpochMicros.now(), WorkerHeartbeat.InboxState.IDLE);

        new LossWatch(() -> List.of(w), TIMEOUT_NANOS, NEVER_STALLED).run();

        assertThat(w.alive()).isFalse();
        assertThat(w.lossEndsRun()).isTrue();
        assertThat(w.lostReason()).contains("drained");
    }

    @Test
    void aHeartbeatWhoseInboxIsStillOnAnEarlierMessage_meansTheWorkerIsStuck_notDrained_andTheRunGoesOn() {
        RemoteWorker w = worker();
        w.send(new ClockPing("", "", EpochMicros.now())); // seq 1: read, acknowledged, and being obeyed when its disk hung
        w.acknowledged(1);
        w.send(new ClockPing("", "", EpochMicros.now())); // seq 2: waits behind it
        waitPast(MILLISECOND_NANOS);
        w.heartbeat(EpochMicros.now(), new WorkerHeartbeat.InboxState(1, 12_000));

        new LossWatch(() -> List.of(w), TIMEOUT_NANOS, NEVER_STALLED).run();

        assertThat(w.alive()).isFalse();
        assertThat(w.lossEndsRun()).isFalse();
        assertThat(w.lostReason()).contains("is stuck: its inbox has obeyed one command for 12 s").doesNotContain("drained");
    }

    @Test
    void aHeartbeatSentBeforeTheMessage_butReadAfterIt_meansTheWorkerFellSilent_notThatItsQueueIsDrained() {
        RemoteWorker w = worker();
        long beforeThePingMicros = EpochMicros.now() - 1000; // a heartbeat issued then, read by the coordinator's inbox only later
        w.send(new ClockPing("", "", EpochMicros.now()));
        waitPast(MILLISECOND_NANOS);
        w.heartbeat(beforeThePingMicros, WorkerHeartbeat.InboxState.IDLE);

        new LossWatch(() -> List.of(w), TIMEOUT_NANOS, NEVER_STALLED).run();

        assertThat(w.alive()).isFalse();
        assertThat(w.lossEndsRun()).isFalse();
        assertThat(w.lostReason()).contains("no acknowledgement or heartbeat");
    }

    @Test
    void aCoordinatorStalledLongerThanTheWorkerTimeout_losesEveryWorkerWithoutBlame_insteadOfJudgingThem() {
        RemoteWorker w = worker();
        AtomicLong clock = new AtomicLong();
        LossWatch watch = new LossWatch(() -> List.of(w), TimeUnit.SECONDS.toNanos(10), clock::get);
        clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(250));
        watch.run();
        assertThat(w.alive()).as("a normal tick, nothing unacknowledged").isTrue();

        clock.addAndGet(TimeUnit.SECONDS.toNanos(11)); // the watch's thread did not run for 11 s

        watch.run();
        assertThat(w.alive()).isFalse();
        assertThat(w.lossEndsRun()).isFalse();
        assertThat(w.lostReason()).contains("coordinator itself stalled for 11 s");
    }

    private static RemoteWorker worker() {
        WorkerHello hello = new WorkerHello("", "", "w1", "host-1", 2, 1, "test", ProtocolCodec.PROTOCOL_VERSION, "client-uuid");
        return new RemoteWorker(hello, MessageSigner.randomId(), InMemoryQueue.over(new LinkedBlockingQueue<>()), new MessageSigner(new SecretBox("loss-watch-test-token-0123456789"), "coordinator"));
    }

    /** Spins (no sleep) until System.nanoTime has moved on by more than {@code nanos}. */
    private static void waitPast(long nanos) {
        long start = System.nanoTime();
        while (System.nanoTime() - start <= nanos) Thread.onSpinWait();
    }
}
