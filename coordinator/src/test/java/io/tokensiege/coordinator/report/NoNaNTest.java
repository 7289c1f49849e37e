package io.tokensiege.coordinator.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.common.analysis.AnswerSanity;
import io.tokensiege.common.analysis.ErrorReason;
import io.tokensiege.common.analysis.Fairness;
import io.tokensiege.common.analysis.Flag;
import io.tokensiege.common.analysis.OpenLoopStats;
import io.tokensiege.common.analysis.Percentiles;
import io.tokensiege.common.analysis.RunVerdict;
import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.json.Json;
import io.tokensiege.common.plan.Plan;
import io.tokensiege.common.plan.PlanReader;
import io.tokensiege.common.plan.Target;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.coordinator.event.Failure;
import io.tokensiege.coordinator.event.RunListener;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every place a figure is printed, fed steps whose figures do not exist (no successful request, nothing finished, a one-token
 * answer without a decode rate, an open loop that sent nothing): each says "n/a", "-" or why, never "NaN" or "Infinity".
 */
class NoNaNTest {
    private static final String PLAN = "name: p\ntargets:\n  - { name: t, url: \"http://127.0.0.1:9/v1\", model: m }\n"
            + "scenarios:\n  - { name: short, prompt: { tokens: 32 }, requests: 5 }\n"
            + "  - { name: sweep, prompt: { tokens: 32 }, load: { concurrency: [1, 4], duration: 5s } }\n"
            + "  - { name: open, prompt: { tokens: 32 }, load: { rate: [1], duration: 5s } }\n"
            + "slo: { ttft_p50: 1s, ttft_p95: 2s, decode_p50_tok_s: 20, error_rate: 0.01 }\n";

    private static StepResult step(String scenario, String kind, int level, int requests, int ok, Percentiles decode, OpenLoopStats open,
                                   List<ErrorReason> reasons, List<Flag> flags) {
        Percentiles ttft = ok == 0 ? Percentiles.EMPTY : new Percentiles(ok, 200, 250, 260, 270, 280, 210);
        Map<String, Integer> errors = new java.util.LinkedHashMap<>();
        reasons.forEach(r -> errors.merge(r.errorClass(), r.count(), Integer::sum));
        return new StepResult(new StepResult.Identity("s-" + scenario + level, "t / " + scenario, "t", scenario, kind, level, 1, 1, false),
                Map.of(),
                new StepResult.Outcome(requests, ok, errors, 0, requests == 0 ? 0 : (double) (requests - ok) / requests, reasons),
                new StepResult.Distributions(ttft, ttft, ttft, ttft, Percentiles.EMPTY, Percentiles.EMPTY, decode, Percentiles.EMPTY),
                new StepResult.Throughput(0, 0, 5, null),
                new StepResult.WarmTurns(Double.NaN, null, null, null, null),
                null, Fairness.NONE, AnswerSanity.NONE,
                new StepResult.Checks(null, List.of(), new ArrayList<>(flags), false, null),
                open, null, null, null, null, null, null);
    }

    private static List<StepResult> steps() {
        Flag silent = new Flag(Flag.NOTHING_MEASURED, "s", "nothing measured: the target answered none of the 2 requests sent: no response within 7.0 s, connections open");
        OpenLoopStats nothingSent = new OpenLoopStats(1, 0, 0, 0, Double.NaN, Double.NaN, Percentiles.EMPTY, Double.NaN);
        return List.of(
                step("short", "SEQUENTIAL", 1, 5, 0, Percentiles.EMPTY, null, List.of(new ErrorReason("timeout_first_token", "", 5)), List.of()),
                step("sweep", "CLOSED", 1, 4, 4, Percentiles.EMPTY, null, List.of(), List.of()), // one-token answers: no decode rate
                step("sweep", "CLOSED", 4, 0, 0, Percentiles.EMPTY, null, List.of(), List.of(silent)),
                step("open", "OPEN", 1, 0, 0, Percentiles.EMPTY, nothingSent, List.of(), List.of(silent)));
    }

    @Test
    void summaryReportCsvAndVerdicts_neverPrintNaN() throws Exception {
        Plan plan = PlanReader.parse(PLAN, "p.yaml");
        List<StepResult> steps = steps();
        List<Failure> failures = List.of(Failure.of(Failure.Kind.TARGET_SILENT, false, "s", null, "target 't' answered none"));
        RunVerdict verdict = RunVerdict.of(plan, steps);
        String all = SummaryTable.markdown(plan, steps, failures, verdict) + HtmlReport.render(plan, steps, failures, verdict) + ResultsCsv.render(steps)
                + String.join("\n", verdict.sloVerdicts().values()) + verdict.collapses().stream().map(io.tokensiege.common.analysis.Collapse::line).toList();
        assertThat(all).doesNotContain("NaN").doesNotContain("Infinity");
        assertThat(SummaryTable.markdown(plan, steps, failures, verdict)).contains("answered none of the 2 requests sent");
    }

    @Test
    void consoleLines_neverPrintNaN() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConsoleProgress console = new ConsoleProgress(new PrintStream(bytes, true, StandardCharsets.UTF_8), true);
        Target t = new Target("t", "http://127.0.0.1:9/v1", "m", null, Map.of(), Map.of(), null);
        StepSpec spec = new StepSpec("s", 0, StepKind.CLOSED, t, "sweep", 4, 1, 0, 5000, 0, 0, 10, 0, 8, true, 0, List.of(),
                io.tokensiege.common.plan.Timeouts.DEFAULT, 1, "n", null, null, null);
        console.onStepStarted(spec, 1, 1);
        console.onInterval(spec, new RunListener.LiveStats(1000, 5000, 1000, null, null, null, null, null, null, null, 0, 0, 4, 4, 0));
        for (StepResult r : steps()) console.onStepFinished(spec, r);
        assertThat(bytes.toString(StandardCharsets.UTF_8)).doesNotContain("NaN").contains("TTFT p50 — p95 —").contains("5 req, failed: 5/5 timeout_first_token")
                .contains("decode p50 — tok/s");
    }

    @Test
    void comparingRunsThatMeasuredNothing_printsNoNaN() throws Exception {
        JsonNode a = runJson("A", 0, 0, 0);
        JsonNode b = runJson("B", 40, 41, 42);
        assertThat(RunComparison.render(a, b)).doesNotContain("NaN").doesNotContain("Infinity");
        assertThat(RunComparison.render(b, a)).doesNotContain("NaN").doesNotContain("Infinity");
    }

    /** A run.json as written for a step whose numbers Jackson stored as "NaN", with three repeats of the given aggregate. */
    private static JsonNode runJson(String id, double... aggregates) throws Exception {
        List<String> steps = new ArrayList<>();
        for (int i = 0; i < aggregates.length; i++) {
            steps.add(Json.write(Map.of("target", "t", "scenario", "sweep", "kind", "CLOSED", "concurrency", 4, "repeat", i + 1,
                    "ttft_ms", Map.of("p50", Double.NaN, "p95", Double.NaN), "decode_tok_s", Map.of("p50", Double.NaN), "aggregate_tok_s", aggregates[i],
                    "error_rate", 1.0)));
        }
        return Json.MAPPER.readTree("{\"run_id\":\"" + id + "\",\"steps\":[" + String.join(",", steps) + "]}");
    }
}
