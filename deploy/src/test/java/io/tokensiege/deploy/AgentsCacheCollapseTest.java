package io.tokensiege.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.analysis.Collapse;
import io.tokensiege.common.analysis.KneeFinder;
import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.plan.PlanReader;
import io.tokensiege.coordinator.run.RunOutcome;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Agents with distinct 10K prefixes against simulated servers whose prefix caches are known: the Ollama-like one holds
 * 16,384 tokens (one agent), the tuned oMLX-like one 65,536 (four). The knee finder must find the cache giving out
 * where the capacity says, and explain it with the server's own cached-token counts.
 */
@Timeout(value = 600, unit = java.util.concurrent.TimeUnit.SECONDS)
class AgentsCacheCollapseTest {
    @TempDir
    Path runs;

    @Test
    void theCacheGivesOutAtTwoAgentsOnOllamaLike_andAtEightOnTunedOmlx() throws Exception {
        String yaml = """
                name: agents-cache
                targets:
                  - { name: ollama, simulated: { profile: ollama-like, speed: 40 } }
                  - { name: omlx, simulated: { profile: omlx-tuned, speed: 40 } }
                defaults: { warmup: 1, max_tokens: 32 }
                scenarios:
                  - name: agents
                    prefix: { tokens: 10000, per_session: true }
                    turns: 4
                    load: { sessions: [1, 2, 4, 8], duration: 150s, think_time: 1s }
                """;
        RunOutcome o = LocalRun.execute(PlanReader.parse(yaml, "agents-cache.yaml"), 1, runs, new PrintStream(new ByteArrayOutputStream()), null);
        Collapse ollama = collapse(o, "ollama");
        Collapse omlx = collapse(o, "omlx");
        System.out.println(ollama.line());
        System.out.println(omlx.line());

        // One slot's cache holds one conversation: with two, each turn evicts the other's prefix and is cold again.
        assertThat(ollama.collapseLevel()).isEqualTo(2.0);
        assertThat(ollama.rule()).isEqualTo(KneeFinder.CACHE_COLLAPSE);
        assertThat(ollama.cacheGaveOutAt()).isEqualTo(2.0);
        assertThat(ollama.why()).containsPattern("the server's cached share of warm prompts fell from 9\\d% to \\d%");
        StepResult ollamaOne = step(o, "ollama", 1);
        assertThat(ollamaOne.agents().warmCachedShare()).as("one agent alone stays cached").isGreaterThan(0.9);
        assertThat(ollamaOne.agents().warmTtftMs()).isLessThan(0.1 * ollamaOne.agents().coldTtftMs());

        // Four conversations fit in 65,536 tokens, eight do not: the cache holds up to 4 and gives out at 8.
        assertThat(omlx.cacheGaveOutAt()).isEqualTo(8.0);
        assertThat(step(o, "omlx", 4).agents().warmCachedShare()).isGreaterThan(0.9);
        assertThat(step(o, "omlx", 8).agents().warmCachedShare()).isLessThan(0.5);
        assertThat(omlx.line()).containsPattern("collapses at 8: cache collapse|its prefix cache gave out at 8 sessions");
    }

    private static Collapse collapse(RunOutcome o, String target) {
        return o.verdict().collapses().stream().filter(c -> c.target().equals(target)).findFirst().orElseThrow();
    }

    private static StepResult step(RunOutcome o, String target, int sessions) {
        return o.steps().stream().filter(s -> s.identity().target().equals(target) && s.level() == sessions).findFirst().orElseThrow();
    }
}
