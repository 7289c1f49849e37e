package io.tokensiege.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.plan.Target;
import io.tokensiege.common.plan.Timeouts;
import io.tokensiege.common.protocol.AbortStep;
import io.tokensiege.common.protocol.AssignStep;
import io.tokensiege.common.protocol.EpochMicros;
import io.tokensiege.common.protocol.IntervalSnapshot;
import io.tokensiege.common.protocol.RecordChunk;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.protocol.StartStep;
import io.tokensiege.common.protocol.StepFinished;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.common.protocol.ToCoordinator;
import io.tokensiege.common.protocol.WorkerFailed;
import io.tokensiege.common.protocol.WorkerReady;
import io.tokensiege.simulator.profile.Profiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A share that is cut short reports what it covered, and says why. */
class WorkerAgentTest {
    private static SimulatorHarness h;
    private final BlockingQueue<ToCoordinator> sent = new LinkedBlockingQueue<>();
    private final SecretBox secrets = new SecretBox("test-token");

    @BeforeAll
    static void start() throws Exception {
        h = new SimulatorHarness(Profiles.load("moe-35b-a3b"), 1);
    }

    @AfterAll
    static void stop() throws Exception {
        h.close();
    }

    /** Two streams of long answers for a planned 30 s window, started now; returns once the worker sent {@code snapshots} snapshots. */
    private WorkerAgent startLongStep(String stepId, int snapshots) throws Exception {
        WorkerAgent agent = new WorkerAgent(h.vertx, "w1", secrets, sent::add, List.of());
        StepSpec step = new StepSpec(stepId, 0, StepKind.CLOSED, h.target(Map.of()), "test", 2, 1, 0, 30_000, 0, 0, 2000, 0.0, 32, true, 0, List.of(),
                Timeouts.DEFAULT, 7, "nonce", null, null, null);
        agent.onMessage(new AssignStep("r1", stepId, "w1", step, 2, 0, null));
        await(WorkerReady.class, 10);
        agent.onMessage(new StartStep("r1", stepId, EpochMicros.now() + 50_000));
        for (int i = 0; i < snapshots; i++) await(IntervalSnapshot.class, 10);
        return agent;
    }

    private <T extends ToCoordinator> T await(Class<T> type, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            ToCoordinator m = sent.poll(100, TimeUnit.MILLISECONDS);
            if (type.isInstance(m)) return type.cast(m);
        }
        throw new AssertionError("no " + type.getSimpleName() + " within " + seconds + " s");
    }

    @Test
    @Timeout(60)
    void anAbortedShare_reportsTheWindowItCovered_notThePlannedOne() throws Exception {
        WorkerAgent agent = startLongStep("cut", 4);
        agent.onMessage(new AbortStep("r1", "cut", "Ctrl-C"));
        StepFinished f = await(StepFinished.class, 15);
        assertThat(f.aborted()).isTrue();
        double windowSeconds = f.totals().windowMicros() / 1e6;
        assertThat(windowSeconds).as("covered window").isBetween(3.0, 10.0);
        // Two streams decoding ~43 tok/s each (the profile, at speed 1): over the covered window the aggregate is theirs;
        // over the planned 30 s it would read a fraction of it.
        double aggregate = f.totals().tokensInWindow() / windowSeconds;
        assertThat(aggregate).isBetween(50.0, 100.0);
    }

    /** Three streams against {@code server}, assigned; returns once they are ready, with their warm connections open. */
    private WorkerAgent assignWarm(ScriptedServer server, String stepId) throws Exception {
        WorkerAgent agent = new WorkerAgent(h.vertx, "w1", secrets, sent::add, List.of());
        Target target = new Target("scripted", server.baseUrl(), "m", null, Map.of(), Map.of(), null);
        StepSpec step = new StepSpec(stepId, 0, StepKind.CLOSED, target, "test", 3, 1, 0, 30_000, 0, 0, 32, 0.0, 32, true, 0, List.of(),
                Timeouts.DEFAULT, 7, "nonce", null, null, null);
        agent.onMessage(new AssignStep("r1", stepId, "w1", step, 3, 0, null));
        await(WorkerReady.class, 10);
        assertThat(server.awaitCount(server.connections, 3, 10)).as("warm connections").isEqualTo(3);
        return agent;
    }

    /** An aborted share that sent nothing: finished as aborted with an empty window, its warm connections closed. */
    private void assertEndedUnsent(ScriptedServer server, StepFinished f) throws InterruptedException {
        assertThat(f.aborted()).isTrue();
        assertThat(f.totals().started()).isZero();
        assertThat(f.totals().windowMicros()).isZero();
        assertThat(server.awaitCount(server.closedByClient, 3, 10)).as("warm connections the worker closed").isEqualTo(3);
        assertThat(server.requests.get()).as("requests sent").isZero();
    }

    @Test
    @Timeout(60)
    void aShareAbortedBeforeItsStart_closesItsWarmConnections_andFinishesEmpty() throws Exception {
        try (ScriptedServer server = new ScriptedServer(r -> false)) { // a request would be counted, and answered by a close
            WorkerAgent agent = assignWarm(server, "early");
            // The coordinator gives up on the step before starting it (another worker refused it, or Ctrl-C at the barrier).
            agent.onMessage(new AbortStep("r1", "early", "barrier timeout"));
            assertEndedUnsent(server, await(StepFinished.class, 10));
            agent.onMessage(new StartStep("r1", "early", EpochMicros.now() + 50_000)); // a start that crossed the abort
            assertThat(await(WorkerFailed.class, 10).kind()).isEqualTo("unknown_step");
            assertThat(server.requests.get()).as("requests sent").isZero();
        }
    }

    @Test
    @Timeout(60)
    void aShareAbortedBetweenItsStartMessageAndItsInstant_endsAtOnce_havingSentNothing() throws Exception {
        try (ScriptedServer server = new ScriptedServer(r -> false)) {
            WorkerAgent agent = assignWarm(server, "parked");
            agent.onMessage(new StartStep("r1", "parked", EpochMicros.now() + 20_000_000));
            agent.onMessage(new AbortStep("r1", "parked", "Ctrl-C"));
            List<ToCoordinator> before = new ArrayList<>();
            ToCoordinator m;
            while ((m = sent.poll(10, TimeUnit.SECONDS)) != null && !(m instanceof StepFinished)) before.add(m);
            assertThat(m).as("the share's end, long before its start instant (20 s away)").isInstanceOf(StepFinished.class);
            assertThat(before).as("before it: its (empty) records, and no snapshot of a step that never ran").allMatch(RecordChunk.class::isInstance);
            assertEndedUnsent(server, (StepFinished) m);
        }
    }

    @Test
    @Timeout(60)
    void anOutOfMemoryErrorOnAnEventLoop_abortsTheRunningShare_andIsReportedForIt() throws Exception {
        startLongStep("oom", 2);
        h.vertx.runOnContext(v -> {
            throw new OutOfMemoryError("Java heap space (thrown by the test)");
        });
        WorkerFailed failed = await(WorkerFailed.class, 10);
        assertThat(failed.kind()).isEqualTo(WorkerFailed.WORKER_ERROR);
        assertThat(failed.stepId()).isEqualTo("oom");
        assertThat(failed.message()).contains("OutOfMemoryError (Java heap space (thrown by the test))");
        assertThat(failed.terminal()).isFalse();
        StepFinished f = await(StepFinished.class, 15);
        assertThat(f.aborted()).isTrue();
        assertThat(f.totals().windowMicros()).isLessThan(15_000_000L);
    }
}
