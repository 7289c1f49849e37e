package io.tokensiege.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.analysis.Collapse;
import io.tokensiege.common.plan.PlanReader;
import io.tokensiege.coordinator.run.RunOutcome;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sweeps simulated servers whose capacity is known, and checks the knee finder names it. */
class KneeAgainstSimulatorTest {
    @TempDir
    Path runs;

    @Test
    void fourSlotAndSixteenSlotServers_collapseWhereTheirProfilesImply() throws Exception {
        String yaml = """
                name: knee
                targets:
                  - { name: four-slots, simulated: { profile: dense-26b, speed: 20 } }
                  - { name: sixteen-slots, simulated: { profile: moe-35b-a3b, speed: 20, set: { engine.decode_per_seq_ms: 1.0 } } }
                defaults: { warmup: 1, max_tokens: 60 }
                scenarios:
                  - { name: sweep, prompt: { tokens: 32, unique: true }, load: { concurrency: [2, 4, 8, 16], duration: 20s } }
                slo: { ttft_p50: 1s }
                """;
        RunOutcome o = LocalRun.execute(PlanReader.parse(yaml, "knee.yaml"), 1, runs, new PrintStream(new ByteArrayOutputStream()), null);
        Collapse four = o.verdict().collapses().stream().filter(c -> c.target().equals("four-slots")).findFirst().orElseThrow();
        Collapse sixteen = o.verdict().collapses().stream().filter(c -> c.target().equals("sixteen-slots")).findFirst().orElseThrow();

        // 4 slots: at 8 streams half the requests queue a whole generation: throughput flat, TTFT p95 explodes.
        assertThat(four.collapseLevel()).isEqualTo(8.0);
        assertThat(four.rule()).isIn("throughput_stopped_scaling", "slo_breached");
        assertThat(four.usableConcurrency()).isEqualTo(4.0);
        assertThat(Math.round(four.parallelism())).isEqualTo(4);
        assertThat(four.line()).contains("decodes about 4 requests at once and queues the rest");
        // 16 slots with cheap sequences: no collapse up to 16, and it decodes all of them at once.
        assertThat(sixteen.collapseLevel()).isNull();
        assertThat(sixteen.usableConcurrency()).isEqualTo(16.0);
        assertThat(sixteen.parallelism()).isBetween(13.0, 18.0);
        assertThat(o.verdict().sloVerdicts()).containsKeys("four-slots", "sixteen-slots");
    }
}
