package io.tokensiege.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.metric.Histograms;
import io.tokensiege.common.plan.Timeouts;
import io.tokensiege.common.protocol.AssignStep;
import io.tokensiege.common.protocol.IntervalSnapshot;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.protocol.StartStep;
import io.tokensiege.common.protocol.StepFinished;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.WorkerReady;
import io.tokensiege.simulator.engine.EngineConfig;
import io.tokensiege.simulator.profile.FaultConfig;
import io.tokensiege.simulator.profile.Profile;
import io.tokensiege.simulator.profile.Profiles;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A worker's one-second snapshots carry what a live view needs while requests are still streaming: the TTFT of each
 * first token as it arrives, every stream's tokens, and how many requests wait for their first token.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LiveSnapshotsTest {
    @Test
    void whileLongAnswersStream_snapshotsShowFirstTokensAndTokens_beforeAnyRequestEnds() throws Exception {
        // 4 slots, 8 streams, 20 tok/s each, 100 tokens: every request streams for ~5 s, half the streams wait for a slot.
        Profile profile = Profiles.load("dense-26b", Map.of("engine.decode_base_ms", 50, "engine.decode_per_seq_ms", 0));
        try (SimulatorHarness h = new SimulatorHarness(profile, 1)) {
            var step = SimulatorHarness.step(h.target(Map.of()), StepKind.CLOSED, 8, 0, 2_500, 0, 100, Timeouts.DEFAULT);
            List<IntervalSnapshot> snapshots = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> ready = new CompletableFuture<>();
            CompletableFuture<StepFinished> done = new CompletableFuture<>();
            io.tokensiege.common.protocol.RecordAssembly assembly = new io.tokensiege.common.protocol.RecordAssembly(); // records come in chunks first
            WorkerAgent agent = new WorkerAgent(h.vertx, "w1", new SecretBox("t0ken-for-test"), m -> {
                if (m instanceof IntervalSnapshot s) snapshots.add(s);
                if (m instanceof WorkerReady) ready.complete(null);
                if (m instanceof io.tokensiege.common.protocol.RecordChunk rc) assembly.add(rc);
                if (m instanceof StepFinished f) done.complete(assembly.complete(f).finished());
            }, List.of());
            agent.onMessage(new AssignStep("run", step.stepId(), "w1", step, 8, 0, null));
            ready.get(10, TimeUnit.SECONDS);
            agent.onMessage(new StartStep("run", step.stepId(), (System.currentTimeMillis() + 50) * 1000));
            done.get(40, TimeUnit.SECONDS);

            IntervalSnapshot second = snapshots.get(1);
            assertThat(second.completed()).as("no request has ended yet").isZero();
            assertThat(firstTokens(snapshots.get(0)) + firstTokens(second)).as("the 4 slots' first tokens, each counted once").isEqualTo(4);
            assertThat(second.tokenEvents()).as("up to 4 streams at 20 tok/s").isBetween(40L, 100L);
            assertThat(second.inFlight()).isEqualTo(8);
            assertThat(second.awaitingFirstToken()).as("the 4 beyond the slots").isEqualTo(4);
        }
    }

    private static long firstTokens(IntervalSnapshot s) {
        return s.firstTokenTtfts() == null ? 0 : Histograms.decode(s.firstTokenTtfts()).getTotalCount();
    }
}
