package io.tokensiege.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.protocol.ClockPing;
import io.tokensiege.common.protocol.EpochMicros;
import io.tokensiege.common.protocol.MessageSigner;
import io.tokensiege.common.protocol.ProtocolCodec;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.protocol.WorkerHello;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import org.junit.jupiter.api.Test;

/** The two verdicts on a message left unacknowledged: a worker that kept beating after it (drained queue) or one that fell silent. */
class LossWatchTest {
    /** Small enough that a message is overdue at once; the "heard since" margin is then 1 ns. */
    private static final long TIMEOUT_NANOS = 2;
    private static final long MILLISECOND_NANOS = 1_000_000;

    @Test
    void aHeartbeatSentAfterTheUnacknowledgedMessage_meansItsQueueIsDrained_andTheRunEnds() {
        RemoteWorker w = worker();
        w.send(new ClockPing("", "", EpochMicros.now()));
        waitPast(MILLISECOND_NANOS);
        w.heartbeat(EpochMicros.now());

        new LossWatch(() -> List.of(w), TIMEOUT_NANOS).run();

        assertThat(w.alive()).isFalse();
        assertThat(w.lossEndsRun()).isTrue();
        assertThat(w.lostReason()).contains("drained");
    }

    @Test
    void aHeartbeatSentBeforeTheMessage_butReadAfterIt_meansTheWorkerFellSilent_notThatItsQueueIsDrained() {
        RemoteWorker w = worker();
        long beforeThePingMicros = EpochMicros.now() - 1000; // a heartbeat issued then, read by the coordinator's inbox only later
        w.send(new ClockPing("", "", EpochMicros.now()));
        waitPast(MILLISECOND_NANOS);
        w.heartbeat(beforeThePingMicros);

        new LossWatch(() -> List.of(w), TIMEOUT_NANOS).run();

        assertThat(w.alive()).isFalse();
        assertThat(w.lossEndsRun()).isFalse();
        assertThat(w.lostReason()).contains("no acknowledgement or heartbeat");
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
