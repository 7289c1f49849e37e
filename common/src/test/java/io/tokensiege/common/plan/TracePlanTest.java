package io.tokensiege.common.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trace replay in a plan: trace files next to the plan, built-in traces, timings; every mistake refused with its place. */
class TracePlanTest {
    static final String HEAD = AgentPlanTest.HEAD;
    static final String RECORD = "{\"timestamp\": %s, \"scenario\": \"%s\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}\n";

    @TempDir
    Path dir;

    private Path plan(String scenarios) throws Exception {
        Files.writeString(dir.resolve("plan.yaml"), HEAD + scenarios);
        return dir.resolve("plan.yaml");
    }

    @Test
    void aTraceFileNextToThePlan_andABuiltInTrace_areReadWithThePlan() throws Exception {
        Files.createDirectories(dir.resolve("traces"));
        Files.writeString(dir.resolve("traces/mine.jsonl"), String.format(RECORD, 0, "a") + String.format(RECORD, 2.5, "b"));
        Plan p = PlanReader.load(plan("""
                  - { name: paced, trace: { file: traces/mine.jsonl, timing: scaled, speed: 2 } }
                  - { name: fast, trace: { builtin: agent-traffic }, load: { concurrency: [1, 4] }, max_tokens: 50 }
                  - { name: own_pace, trace: { builtin: agent-traffic } }
                """).toString());
        Scenario paced = p.scenarios().get(0);
        assertThat(paced.trace().timing()).isEqualTo("scaled");
        assertThat(paced.trace().speed()).isEqualTo(2.0);
        assertThat(paced.trace().trace().records()).hasSize(2);
        assertThat(paced.trace().trace().spanMicros()).isEqualTo(2_500_000L);
        assertThat(paced.trace().source()).isEqualTo("traces/mine.jsonl");
        Scenario fast = p.scenarios().get(1);
        assertThat(fast.trace().timing()).isEqualTo("as_fast_as_possible"); // the default with load
        assertThat(fast.load().levels()).containsExactly(1.0, 4.0);
        assertThat(fast.load().durationMillis()).isZero(); // no duration: each level replays the trace once
        assertThat(p.scenarios().get(2).trace().timing()).isEqualTo("original"); // the default without
    }

    @Test
    void aBadLineInTheTrace_refusesThePlan_namingTheTracesLineAndColumn() throws Exception {
        String bad = "{\"messages\": [{\"role\": \"robot\", \"content\": \"x\"}]}";
        Files.writeString(dir.resolve("bad.jsonl"), String.format(RECORD, 1, "a") + bad + "\n");
        PlanException e = catchThrowableOfType(PlanException.class, () -> PlanReader.load(plan("""
                  - { name: r, trace: { file: bad.jsonl } }
                """).toString()));
        assertThat(e.errors()).singleElement().hasToString(dir.resolve("bad.jsonl") + ":2:" + (bad.indexOf("\"robot\"") + 1)
                + " (messages[0].role): role 'robot' is not one of system, user, assistant, tool");
    }

    /** "plan.yaml:LINE:COLUMN (path)" of the text {@code marker} in scenario line {@code i} (the plan's line 5 + i). */
    private String at(String[] scenarios, int i, String marker, String path) {
        int column = scenarios[i].indexOf(marker) + 1;
        assertThat(column).as("marker %s in %s", marker, scenarios[i]).isPositive();
        return "plan.yaml:" + (5 + i) + ":" + column + " (" + path + "): ";
    }

    @Test
    void timingAndLoadMistakes_areRefusedWithTheirPlace() throws Exception {
        Files.writeString(dir.resolve("untimed.jsonl"), "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}\n");
        String[] s = {
                "  - { name: a, trace: { builtin: agent-traffic, timing: as_fast_as_possible } }",
                "  - { name: b, trace: { builtin: agent-traffic, timing: original }, load: { concurrency: [2] } }",
                "  - { name: c, trace: { builtin: agent-traffic, speed: 2 } }",
                "  - { name: d, trace: { builtin: agent-traffic, timing: scaled } }",
                "  - { name: e, trace: { file: untimed.jsonl } }",
                "  - { name: f, trace: { builtin: agent-trafic } }",
                "  - { name: g, trace: { file: missing.jsonl } }",
                "  - { name: h, trace: { builtin: agent-traffic }, load: { rate: [1], duration: 10s } }",
                "  - { name: i, trace: { builtin: agent-traffic, timing: fastest }, load: { concurrency: [1], requests_per_stream: 3 } }",
                "  - { name: j, trace: { builtin: agent-traffic }, prompt: { tokens: 5 }, tools: builtin }"};
        PlanException e = catchThrowableOfType(PlanException.class, () -> PlanReader.load(plan(String.join("\n", s) + "\n").toString()));
        assertThat(e.getMessage())
                .contains(at(s, 0, "as_fast", "scenarios[0].trace.timing") + "as fast as possible runs at concurrency levels")
                .contains(at(s, 1, "{ concurrency", "scenarios[1].load") + "a trace at its own pace runs as one step, without load")
                .contains(at(s, 2, "2 }", "scenarios[2].trace.speed") + "speed goes with timing: scaled")
                .contains(at(s, 3, "{ builtin", "scenarios[3].trace") + "timing: scaled needs a speed")
                .contains(at(s, 4, "{ file", "scenarios[4].trace") + "the trace " + dir.resolve("untimed.jsonl") + " has no timestamp or delay, so it has no pace of its own")
                .contains(at(s, 5, "agent-trafic", "scenarios[5].trace.builtin") + "no built-in trace 'agent-trafic'")
                .contains(at(s, 6, "missing", "scenarios[6].trace.file") + "no trace file at " + dir.resolve("missing.jsonl") + " (relative to the plan's folder)")
                .contains(at(s, 7, "{ rate", "scenarios[7].load") + "a trace replays at concurrency levels (timing: as_fast_as_possible) or at its own pace")
                .contains(at(s, 8, "fastest", "scenarios[8].trace.timing") + "timing must be original, scaled or as_fast_as_possible")
                .contains(at(s, 8, "3 }", "scenarios[8].load.requests_per_stream") + "a trace's streams share its records")
                .doesNotContain("plan.yaml:13:74") // a wrong timing is one mistake, not also a wrong load
                .contains(at(s, 9, "{ name: j", "scenarios[9]") + "scenario 'j' needs exactly one of 'prompt', 'prefix', 'mix' or 'trace'")
                .contains(at(s, 9, "builtin }", "scenarios[9].tools") + "tools does not go with a trace");
    }

    @Test
    void aPlanSentAsText_readsTraceFilesOnlyInsideTheCoordinatorsTraceFolder() throws Exception {
        Path traces = Files.createDirectories(dir.resolve("traces"));
        Files.writeString(traces.resolve("ok.jsonl"), String.format(RECORD, 0, "a"));
        Files.writeString(dir.resolve("secret.jsonl"), String.format(RECORD, 0, "a"));
        String text = HEAD + "  - { name: r, trace: { file: ok.jsonl } }\n";

        assertThat(catchThrowableOfType(PlanException.class, () -> PlanReader.parse(text, "sent.yaml")).getMessage())
                .contains("sent.yaml:5:" + (text.lines().toList().get(4).indexOf("ok.jsonl") + 1) + " (scenarios[0].trace.file): this plan came as text, so it cannot name a trace file")
                .contains("start the coordinator with --trace-dir DIR");
        PlanOptions withDir = PlanOptions.DEFAULT.withTraceDir(traces);
        assertThat(PlanReader.parse(text, "sent.yaml", withDir).scenarios().get(0).trace().trace().records()).hasSize(1);
        assertThat(catchThrowableOfType(PlanException.class, () -> PlanReader.parse(text.replace("ok.jsonl", "../secret.jsonl"), "sent.yaml", withDir))
                .getMessage()).contains("trace file '../secret.jsonl' is outside the coordinator's trace folder");
        assertThat(catchThrowableOfType(PlanException.class, () -> PlanReader.parse(text.replace("ok.jsonl", dir.resolve("secret.jsonl").toString()), "sent.yaml", withDir))
                .getMessage()).contains("is outside the coordinator's trace folder"); // an absolute path too
        Files.createSymbolicLink(traces.resolve("link.jsonl"), dir.resolve("secret.jsonl"));
        assertThat(catchThrowableOfType(PlanException.class, () -> PlanReader.parse(text.replace("ok.jsonl", "link.jsonl"), "sent.yaml", withDir))
                .getMessage()).contains("trace file 'link.jsonl' is outside the coordinator's trace folder");
    }
}
