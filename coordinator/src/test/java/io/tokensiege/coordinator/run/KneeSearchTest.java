package io.tokensiege.coordinator.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.analysis.AnswerSanity;
import io.tokensiege.common.analysis.Fairness;
import io.tokensiege.common.analysis.OpenLoopStats;
import io.tokensiege.common.analysis.Percentiles;
import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.plan.Plan;
import io.tokensiege.common.plan.PlanReader;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which step runs next: the ladder, cut at a collapse with until_collapse, bisected with refine. */
class KneeSearchTest {
    private final List<StepResult> results = new ArrayList<>();
    private final Set<String> givenUp = new HashSet<>();

    @Test
    void fixedLadder_runsEveryPlannedStepInOrder_warmupFirst() throws Exception {
        KneeSearch search = search("defaults: { warmup: 1 }\n", "load: { concurrency: [1, 2, 4], duration: 10s }");
        assertThat(nextLabel(search)).isEqualTo("WARMUP 1 of 4");
        assertThat(nextLabel(search)).isEqualTo("CLOSED c1 2 of 4"); // a warm-up has no result among the sweep's
        assertThat(runAndNext(search, good(1))).isEqualTo("CLOSED c2 3 of 4");
        // A collapse does not shorten a fixed ladder.
        assertThat(runAndNext(search, bad(2))).isEqualTo("CLOSED c4 4 of 4");
        results.add(bad(4));
        assertThat(search.next(results)).isEmpty();
        assertThat(search.next(results)).isEmpty();
    }

    @Test
    void untilCollapse_stopsTheSweepAfterItsFirstCollapsedLevel_andGoesOnWithTheNextScenario() throws Exception {
        KneeSearch search = search("", "load: { concurrency: [1, 2, 4, 8], duration: 10s, until_collapse: true }",
                "{ name: other, prompt: { tokens: 32 }, load: { concurrency: [3], duration: 10s } }");
        assertThat(nextLabel(search)).isEqualTo("CLOSED c1 1 of 5");
        assertThat(runAndNext(search, good(1))).isEqualTo("CLOSED c2 2 of 5");
        var next = search.next(add(bad(2))).orElseThrow();
        assertThat(next.step().scenario()).isEqualTo("other");
        assertThat(next.number()).isEqualTo(5); // levels 4 and 8 are skipped
        assertThat(search.next(add(result("other", 3, 0, null)))).isEmpty();
    }

    @Test
    void untilCollapse_runsTheWholeLadder_whileNoLevelCollapses() throws Exception {
        KneeSearch search = search("", "load: { concurrency: [1, 2], duration: 10s, until_collapse: true }");
        assertThat(nextLabel(search)).isEqualTo("CLOSED c1 1 of 2");
        assertThat(runAndNext(search, good(1))).isEqualTo("CLOSED c2 2 of 2");
        assertThat(search.next(add(good(2)))).isEmpty();
    }

    @Test
    void refine_bisectsBetweenTheLastGoodAndFirstBadLevel_untilOneStreamApart() throws Exception {
        KneeSearch search = search("", "load: { concurrency: [2, 16], duration: 10s, refine: true, refine_steps: 5 }");
        assertThat(nextLabel(search)).isEqualTo("CLOSED c2 1 of 2");
        assertThat(runAndNext(search, good(2))).isEqualTo("CLOSED c16 2 of 2");
        var first = search.next(add(bad(16))).orElseThrow();
        assertThat(first.planned()).isFalse();
        assertThat(label(first)).isEqualTo("CLOSED c9 3 of 3"); // (2 + 16) / 2
        assertThat(first.step().stepId()).isEqualTo("s003-t-sweep-c9");
        assertThat(runAndNext(search, bad(9))).isEqualTo("CLOSED c5 4 of 4");
        assertThat(runAndNext(search, good(5))).isEqualTo("CLOSED c7 5 of 5");
        assertThat(runAndNext(search, good(7))).isEqualTo("CLOSED c8 6 of 6");
        // 8 good, 9 bad: one stream apart, so the knee is found before refine_steps (5) are used up.
        assertThat(search.next(add(good(8)))).isEmpty();
    }

    @Test
    void untilCollapse_withRefine_bisectsASweepCutShort_betweenItsLastGoodAndFirstBadLevel() throws Exception {
        KneeSearch search = search("", "load: { concurrency: [2, 16, 32, 64], duration: 10s, until_collapse: true, refine: true, refine_steps: 1 }",
                "{ name: other, prompt: { tokens: 32 }, load: { concurrency: [3], duration: 10s } }");
        assertThat(nextLabel(search)).isEqualTo("CLOSED c2 1 of 5");
        assertThat(runAndNext(search, good(2))).isEqualTo("CLOSED c16 2 of 5");
        // 32 and 64 are skipped; the refine step comes before the next scenario
        assertThat(runAndNext(search, bad(16))).isEqualTo("CLOSED c9 6 of 6");
        var next = search.next(add(good(9))).orElseThrow();
        assertThat(next.step().scenario()).isEqualTo("other");
        assertThat(search.next(add(result("other", 3, 0, null)))).isEmpty();
    }

    @Test
    void refine_stopsAfterRefineSteps() throws Exception {
        KneeSearch search = search("", "load: { concurrency: [2, 64], duration: 10s, refine: true, refine_steps: 2 }");
        search.next(results);
        search.next(add(good(2)));
        assertThat(runAndNext(search, bad(64))).isEqualTo("CLOSED c33 3 of 3");
        assertThat(runAndNext(search, bad(33))).isEqualTo("CLOSED c17 4 of 4");
        assertThat(search.next(add(bad(17)))).isEmpty();
    }

    @Test
    void refine_needsAUsableLevel_andACollapse() throws Exception {
        KneeSearch noUsable = search("", "load: { concurrency: [2, 16], duration: 10s, refine: true }");
        noUsable.next(results);
        noUsable.next(add(bad(2)));
        assertThat(noUsable.next(add(bad(16)))).isEmpty();

        results.clear();
        KneeSearch noCollapse = search("", "load: { concurrency: [2, 16], duration: 10s, refine: true }");
        noCollapse.next(results);
        noCollapse.next(add(good(2)));
        assertThat(noCollapse.next(add(good(16)))).isEmpty();
    }

    @Test
    void refine_withNoLevelMeasured_endsTheRun_insteadOfFailing() throws Exception {
        KneeSearch search = search("", "load: { concurrency: [2, 16], duration: 10s, refine: true }");
        search.next(results);
        search.next(results);
        assertThat(search.next(results)).isEmpty(); // both levels ended without a result (e.g. a barrier timeout)
    }

    @Test
    void refine_ofARate_takesTheGeometricMiddle_untilTenPercentApart() throws Exception {
        KneeSearch search = search("", "load: { rate: [1, 4], duration: 10s, refine: true, refine_steps: 10 }");
        search.next(results);
        search.next(add(openResult(1, 0)));
        var mid = search.next(add(openResult(4, 0.5))).orElseThrow();
        assertThat(mid.step().kind()).isEqualTo(StepKind.OPEN);
        assertThat(mid.step().openLoop().ratePerSecond()).isEqualTo(2.0); // sqrt(1 * 4)
        var next = search.next(add(openResult(2, 0))).orElseThrow();
        assertThat(next.step().openLoop().ratePerSecond()).isEqualTo(2.83); // sqrt(2 * 4), to 0.01
        assertThat(search.next(add(openResult(2.83, 0))).orElseThrow().step().openLoop().ratePerSecond()).isEqualTo(3.36);
        assertThat(search.next(add(openResult(3.36, 0))).orElseThrow().step().openLoop().ratePerSecond()).isEqualTo(3.67);
        // 3.67 to 4 is 9 % apart: close enough.
        assertThat(search.next(add(openResult(3.67, 0)))).isEmpty();
    }

    @Test
    void refine_ofAgentSessions_runsSessionsBetweenTheLastGoodAndFirstBadLevel() throws Exception {
        KneeSearch search = search("", "load: { concurrency: [1], requests_per_stream: 1 }",
                "{ name: agents, prefix: { tokens: 1000, per_session: true }, turns: 3, load: { sessions: [1, 8], duration: 10s, refine: true } }");
        search.next(results);
        search.next(add(good(1))); // the prompt scenario's only level
        search.next(add(result("agents", 1, 0, null)));
        var mid = search.next(add(result("agents", 8, 0.5, null))).orElseThrow();
        assertThat(mid.step().kind()).isEqualTo(StepKind.SESSIONS);
        assertThat(mid.step().concurrency()).isEqualTo(4); // (1 + 8) / 2 sessions
        assertThat(mid.step().conversation()).isNotNull();
    }

    @Test
    void aTargetGivenUpOn_hasNoFurtherSteps_refineIncluded() throws Exception {
        KneeSearch search = search("", "load: { concurrency: [1, 2, 4], duration: 10s, refine: true }");
        assertThat(nextLabel(search)).isEqualTo("CLOSED c1 1 of 3");
        givenUp.add("t");
        assertThat(search.next(add(good(1)))).isEmpty();
    }

    /** A plan with one target, {@code t}, and a scenario {@code sweep} with this load (warm-up 0 unless {@code defaults} say). */
    private KneeSearch search(String defaults, String load, String... moreScenarios) throws Exception {
        StringBuilder yaml = new StringBuilder("name: p\ntargets:\n  - { name: t, url: \"http://127.0.0.1:9/v1\", model: m }\n")
                .append(defaults.isEmpty() ? "defaults: { warmup: 0 }\n" : defaults)
                .append("scenarios:\n  - { name: sweep, prompt: { tokens: 32 }, ").append(load).append(" }\n");
        for (String s : moreScenarios) yaml.append("  - ").append(s).append('\n');
        Plan plan = PlanReader.parse(yaml.toString(), "p.yaml");
        List<StepSpec> planned = StepPlanner.expand(plan);
        return new KneeSearch(plan, planned, givenUp::contains);
    }

    private String nextLabel(KneeSearch search) {
        return label(search.next(results).orElseThrow());
    }

    private String runAndNext(KneeSearch search, StepResult result) {
        return label(search.next(add(result)).orElseThrow());
    }

    private List<StepResult> add(StepResult r) {
        results.add(r);
        return results;
    }

    private static String label(KneeSearch.Next next) {
        StepSpec s = next.step();
        return s.kind() + (s.kind() == StepKind.CLOSED ? " c" + s.concurrency() : "") + " " + next.number() + " of " + next.total();
    }

    private static StepResult good(int streams) {
        return result("sweep", streams, 0, null);
    }

    private static StepResult bad(int streams) {
        return result("sweep", streams, 0.5, null);
    }

    private static StepResult openResult(double rate, double errorRate) {
        Percentiles ttft = new Percentiles(10, 100, 100, 100, 100, 100, 100);
        return result("sweep", 8, errorRate, new OpenLoopStats(rate, rate, 10, 0, 0, 0, ttft, 4000));
    }

    /** A level that scales perfectly (10 tok/s per stream, flat TTFT): only its error rate can make it collapse. */
    private static StepResult result(String scenario, int streams, double errorRate, OpenLoopStats open) {
        Percentiles ttft = new Percentiles(10, 100, 100, 100, 100, 100, 100);
        Percentiles decode = new Percentiles(10, 10, 10, 10, 10, 10, 10);
        Percentiles e2e = new Percentiles(10, 4000, 4000, 4000, 4000, 4000, 4000);
        double level = open != null ? open.requestedRate() : streams;
        return new StepResult(new StepResult.Identity("s" + level, "t / " + scenario + " @" + level, "t", scenario, open != null ? "OPEN" : "CLOSED", streams, 1, 1, false),
                Map.of(),
                new StepResult.Outcome(10, 10, Map.of(), 0, errorRate, List.of()),
                new StepResult.Distributions(ttft, ttft, ttft, e2e, Percentiles.EMPTY, Percentiles.EMPTY, decode, Percentiles.EMPTY),
                new StepResult.Throughput(10 * level, level / 4.0, 15, null),
                new StepResult.WarmTurns(null, null, null, null, null),
                null, Fairness.NONE, AnswerSanity.NONE,
                new StepResult.Checks(null, List.of(), List.of(), false, null),
                open, null, null, null, null, null, Map.of());
    }
}
