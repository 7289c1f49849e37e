package io.tokensiege.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.concurrent.EventExecutor;
import io.tokensiege.common.plan.Timeouts;
import io.tokensiege.common.protocol.AssignStep;
import io.tokensiege.common.protocol.IntervalSnapshot;
import io.tokensiege.common.protocol.RecordAssembly;
import io.tokensiege.common.protocol.RecordChunk;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.protocol.StartStep;
import io.tokensiege.common.protocol.StepFinished;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.common.protocol.StepTotals;
import io.tokensiege.common.protocol.ToCoordinator;
import io.tokensiege.common.protocol.WorkerReady;
import io.tokensiege.simulator.profile.Profiles;
import io.vertx.core.internal.VertxInternal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The worker's own lateness in sending an open loop's arrivals: a stall of the client (its event loops blocked, as a
 * long GC pause or a starved host would) delays sends while the in-flight cap has room. That delay is in each late
 * arrival's ttft_intended, so the worker reports it and the step is flagged client_bound.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SendLatenessTest {
    private static final long STALL_MILLIS = 300;

    @Test
    void aClientStall_withRoomUnderTheCap_isReportedAsTheWorkersOwnLateness_andFlagsClientBound() throws Exception {
        try (SimulatorHarness h = new SimulatorHarness(Profiles.load("dense-26b"), 50)) {
            h.warmUp();
            // 20 arrivals/s with a cap of 32: the simulated server answers in well under a second, so the cap never fills.
            StepFinished f = runStallingOnFirstSnapshot(h, arrivals(h, "open-stall", 32, 4_000));

            StepTotals.WorkerHealth health = f.totals().health();
            assertThat(f.totals().notSent()).isZero();
            // About 6 of the 80 arrivals were due while the client stood still: the tail of its own lateness is the stall.
            assertThat(health.sendLateMaxMicros()).isBetween(STALL_MILLIS * 1000 / 2, STALL_MILLIS * 1000 * 3);
            assertThat(health.sendLateP99Micros()).isGreaterThan(StepTotals.WorkerHealth.CLIENT_BOUND_DELAY_MICROS);
            assertThat(health.sentLate()).isTrue();
            assertThat(health.clientBound()).isTrue();
        }
    }

    @Test
    void aWaitAtTheCap_isTheServersScheduleLag_notTheWorkersLateness() throws Exception {
        try (SimulatorHarness h = new SimulatorHarness(Profiles.load("dense-26b"), 1)) {
            h.warmUp();
            // 20 arrivals/s, 2 in flight at most, against a server that needs a good part of a second per request: held at the cap.
            StepFinished f = h.run(arrivals(h, "open-capped", 2, 1_000), 2, 60);

            long[] lags = f.records().stream().filter(r -> r.measured() && r.times().scheduleLagMicros() != null)
                    .mapToLong(r -> r.times().scheduleLagMicros()).sorted().toArray();
            long lagP50 = lags[lags.length / 2];
            assertThat(lagP50).as("held at the cap").isGreaterThan(200_000);
            // Sent the moment a slot freed: the wait was for the server, and only the hand-over is the worker's.
            assertThat(f.totals().health().sendLateMaxMicros()).isLessThan(lagP50 / 4);
        }
    }

    @Test
    void aClosedLoop_hasNoScheduleToBeLateFor() throws Exception {
        try (SimulatorHarness h = new SimulatorHarness(Profiles.load("dense-26b"), 50)) {
            StepFinished f = h.run(SimulatorHarness.step(h.target(Map.of()), StepKind.CLOSED, 2, 0, 1_000, 0, 8, Timeouts.DEFAULT), 2, 60);
            assertThat(f.totals().health().sendLateP99Micros()).isNull();
            assertThat(f.totals().health().sendLateMaxMicros()).isNull();
        }
    }

    /** 20 constant arrivals a second of 8-token answers, at most {@code cap} in flight, for {@code durationMillis}. */
    private static StepSpec arrivals(SimulatorHarness h, String id, int cap, long durationMillis) {
        return new StepSpec(id, 0, StepKind.OPEN, h.target(Map.of()), "arrivals", cap, 1, 0, durationMillis, 0, 0, 8, 0.0, 32, true,
                0, List.of(), Timeouts.DEFAULT, 7, "nonce", new StepSpec.OpenLoop(20, 20, "constant", 1), null, null);
    }

    /** Runs the step; when its first live snapshot arrives (a second into it), every client event loop stands still for the stall. */
    private static StepFinished runStallingOnFirstSnapshot(SimulatorHarness h, StepSpec step) throws Exception {
        CompletableFuture<Void> ready = new CompletableFuture<>();
        CompletableFuture<StepFinished> finished = new CompletableFuture<>();
        AtomicBoolean stalled = new AtomicBoolean();
        RecordAssembly assembly = new RecordAssembly();
        WorkerAgent agent = new WorkerAgent(h.vertx, "w1", new SecretBox("test-token"), (ToCoordinator m) -> {
            if (m instanceof WorkerReady) ready.complete(null);
            if (m instanceof IntervalSnapshot && stalled.compareAndSet(false, true)) stallEveryEventLoop(h);
            if (m instanceof RecordChunk rc) assembly.add(rc);
            if (m instanceof StepFinished sf) finished.complete(assembly.complete(sf).finished());
        }, List.of());
        agent.onMessage(new AssignStep("run", step.stepId(), "w1", step, step.concurrency(), 0, null));
        ready.get(30, TimeUnit.SECONDS);
        agent.onMessage(new StartStep("run", step.stepId(), (System.currentTimeMillis() + 50) * 1000));
        StepFinished f = finished.get(60, TimeUnit.SECONDS);
        assertThat(stalled).as("the stall happened during the step").isTrue();
        return f;
    }

    private static void stallEveryEventLoop(SimulatorHarness h) {
        for (EventExecutor loop : ((VertxInternal) h.vertx).nettyEventLoopGroup()) {
            loop.execute(() -> {
                long until = System.nanoTime() + STALL_MILLIS * 1_000_000;
                while (System.nanoTime() < until) Thread.onSpinWait(); // the fault injected: a client that cannot run
            });
        }
    }
}
