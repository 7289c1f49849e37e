package io.tokensiege.coordinator.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.common.json.Json;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunComparisonTest {
    private static String step(String target, String scenario, int concurrency, int repeat, double ttftP50, double aggregate) {
        return "{\"target\":\"" + target + "\",\"scenario\":\"" + scenario + "\",\"kind\":\"CLOSED\",\"concurrency\":" + concurrency
                + ",\"repeat\":" + repeat + ",\"ttft_ms\":{\"p50\":" + ttftP50 + ",\"p95\":" + (2 * ttftP50) + "},\"decode_tok_s\":{\"p50\":40.0},"
                + "\"aggregate_tok_s\":" + aggregate + ",\"error_rate\":0.0}";
    }

    private static JsonNode run(String id, List<String> steps, String servers) throws Exception {
        return Json.MAPPER.readTree("{\"run_id\":\"" + id + "\",\"steps\":[" + String.join(",", steps) + "],\"servers\":" + servers + "}");
    }

    private static List<String> repeats(String target, double... ttft) {
        List<String> steps = new ArrayList<>();
        for (int i = 0; i < ttft.length; i++) steps.add(step(target, "sweep", 4, i + 1, ttft[i], 100));
        return steps;
    }

    @Test
    void oneRunEach_showsTheChange_withoutAVerdict_andMatchesTheOnlyTargetsWhateverTheirNames() throws Exception {
        JsonNode a = run("A1", List.of(step("omlx-stock", "sweep", 4, 1, 2000, 50)), "{\"omlx-stock\":{\"props\":{\"pool_blocks\":256}}}");
        JsonNode b = run("B1", List.of(step("omlx-tuned", "sweep", 4, 1, 200, 60)), "{\"omlx-tuned\":{\"props\":{\"pool_blocks\":1024}}}");
        String out = RunComparison.render(a, b);
        assertThat(out).contains("comparing target 'omlx-tuned' (B) with 'omlx-stock' (A)");
        // A tenfold change is still one run each: it may be noise (a cold cache, another job on the box), so it is not called better.
        assertThat(out).contains("| omlx-stock / sweep @4 | TTFT p50 ms | 2000 | 200 | -90.0 % (no verdict: 1 vs 1 run) | no verdict |");
        assertThat(out).contains("| omlx-stock / sweep @4 | aggregate tok/s | 50.0 | 60.0 | +20.0 % (no verdict: 1 vs 1 run) | no verdict |");
        assertThat(out).contains("Re-run both with `repeat: 3`");
        assertThat(out).contains("omlx-stock servers/props/pool_blocks: A 256, B 1024");
    }

    @Test
    void repeatsOnBothSides_giveAVerdict_significantOnlyWhenTheIntervalExcludesZero() throws Exception {
        JsonNode a = run("A", repeats("x", 100, 102, 98, 101, 99), "{}");
        JsonNode faster = run("B", repeats("x", 80, 81, 79, 80, 82), "{}");
        JsonNode same = run("C", repeats("x", 99, 103, 100, 98, 101), "{}");
        assertThat(RunComparison.render(a, faster)).containsPattern("\\| x / sweep @4 \\| TTFT p50 ms \\| 100 \\| 80.4 \\| -19.6 % \\[-2\\d\\.\\d %, -1\\d\\.\\d %\\], significant \\| better \\|")
                .doesNotContain("Re-run both");
        assertThat(RunComparison.render(a, same)).containsPattern("\\| x / sweep @4 \\| TTFT p50 ms \\| 100 \\| 100 \\| [^|]*not distinguishable \\| (same|within noise) \\|");
        // Three runs a side, apart by less than their spread: no verdict of "significant" (a bootstrap called this one so).
        JsonNode a3 = run("A3", repeats("x", 57.03, 56.97, 56.97), "{}");
        JsonNode b3 = run("B3", repeats("x", 57.10, 57.23, 57.63), "{}");
        assertThat(RunComparison.render(a3, b3)).contains("not distinguishable").doesNotContain("significant |");
    }

    @Test
    void agentSessionLevels_areComparedLevelByLevel_notPooledAsRepeats() throws Exception {
        List<String> a = new ArrayList<>();
        List<String> b = new ArrayList<>();
        int[] sessions = {1, 2, 4};
        for (int i = 0; i < 3; i++) {
            a.add(step("x", "agents", sessions[i], 1, 200 + 100 * i, 10).replace("\"CLOSED\"", "\"SESSIONS\""));
            b.add(step("x", "agents", sessions[i], 1, 200 + 100 * i, 10).replace("\"CLOSED\"", "\"SESSIONS\""));
        }
        String out = RunComparison.render(run("A", a, "{}"), run("B", b, "{}"));
        assertThat(out).contains("| x / agents @1 sessions | TTFT p50 ms | 200 | 200 |").contains("| x / agents @4 sessions | TTFT p50 ms | 400 | 400 |");
        assertThat(out).doesNotContain("| x / agents |");
    }

    @Test
    void stepsWithoutACounterpart_areListed_notCompared() throws Exception {
        JsonNode a = run("A", List.of(step("x", "sweep", 4, 1, 100, 10), step("x", "sweep", 8, 1, 200, 12), step("y", "sweep", 4, 1, 1, 1)), "{}");
        JsonNode b = run("B", List.of(step("x", "sweep", 4, 1, 110, 10), step("x", "sweep", 16, 1, 300, 12)), "{}");
        String out = RunComparison.render(a, b);
        assertThat(out).contains("| x / sweep @4 | TTFT p50 ms |").doesNotContain("| x / sweep @8 |");
        assertThat(out).contains("only in A: x / sweep @8").contains("only in A: y / sweep @4").contains("only in B: x / sweep @16");
    }
}
