package io.tokensiege.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.plan.PlanReader;
import io.tokensiege.coordinator.run.RunOutcome;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Repeats interleave targets (A B A B) and end in intervals and A/B verdicts. */
@org.junit.jupiter.api.Timeout(value = 300, unit = java.util.concurrent.TimeUnit.SECONDS)
class RepeatsTest {
    @TempDir
    Path runs;

    @Test
    void identicalTargets_notDistinguishable_differentOnes_significant() throws Exception {
        String yaml = """
                name: ab
                targets:
                  - { name: a, simulated: { profile: moe-35b-a3b, speed: 20 } }
                  - { name: a-twin, simulated: { profile: moe-35b-a3b, speed: 20 } }
                  - { name: slower, simulated: { profile: moe-35b-a3b, speed: 20, set: { engine.decode_base_ms: 30 } } }
                defaults: { warmup: 1, max_tokens: 40, ramp: 0s }
                scenarios:
                  - { name: sweep, prompt: { tokens: 32, unique: true }, load: { concurrency: [2], duration: 20s }, repeat: 4 }
                """;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RunOutcome o = LocalRun.execute(PlanReader.parse(yaml, "ab.yaml"), 1, runs, new PrintStream(out, true, StandardCharsets.UTF_8), null);
        // Interleaved: a, a-twin, slower, a, a-twin, slower, ...
        assertThat(o.steps()).extracting(res -> res.identity().target()).startsWith("a", "a-twin", "slower", "a");
        String summary = Files.readString(o.directory().resolve("summary.md"));
        assertThat(summary).contains("## Repeats");
        assertThat(summary).containsPattern("sweep @2 aggregate tok/s, a-twin: .*vs a: .*not distinguishable");
        // 20 ms + 3.3/seq vs 30 ms + 3.3/seq: about 27 % fewer tokens per second.
        assertThat(summary).containsPattern("sweep @2 aggregate tok/s, slower: .*vs a: -\\d+\\.\\d % \\[-\\d+\\.\\d %, -\\d+\\.\\d %\\], significant");
    }
}
