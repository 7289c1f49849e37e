package io.tokensiege.common.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.metric.TokenSource;
import io.tokensiege.common.plan.Plan;
import io.tokensiege.common.plan.PlanReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Nothing measured is never good: verdicts on steps without a successful request, partial steps, and missing steps. */
class RunVerdictTest {
    private static final String TARGETS = "targets:\n  - { name: t, url: \"http://127.0.0.1:9/v1\", model: m }\n";
    private static final String SWEEP = "scenarios:\n  - { name: sweep, prompt: { tokens: 32 }, load: { concurrency: [1, 4], duration: 5s } }\n";
    private static final String SEQUENCE = "scenarios:\n  - { name: short, prompt: { tokens: 32 }, requests: 5 }\n";

    private static Plan plan(String scenarios, String slo) throws Exception {
        return PlanReader.parse("name: p\n" + TARGETS + scenarios + slo, "test.yaml");
    }

    /** A step: {@code ok} of {@code requests} succeeded, with good numbers for those that did. */
    static StepResult step(String scenario, String kind, int level, int requests, int ok, List<ErrorReason> reasons, List<Flag> flags, String partial) {
        Percentiles ttft = ok == 0 ? Percentiles.EMPTY : new Percentiles(ok, 200, 250, 260, 270, 280, 210);
        Percentiles decode = ok == 0 ? Percentiles.EMPTY : new Percentiles(ok, 45, 45, 45, 45, 45, 45);
        Percentiles e2e = ok == 0 ? Percentiles.EMPTY : new Percentiles(ok, 4000, 4000, 4000, 4000, 4000, 4000);
        Map<String, Integer> errors = new java.util.LinkedHashMap<>();
        reasons.forEach(r -> errors.merge(r.errorClass(), r.count(), Integer::sum));
        return new StepResult(new StepResult.Identity("s-" + scenario + "-" + level, "t / " + scenario, "t", scenario, kind, level, 1, 1, false),
                Map.of(),
                new StepResult.Outcome(requests, ok, errors, 0, requests == 0 ? 0 : (double) (requests - ok) / requests, reasons),
                new StepResult.Distributions(ttft, ttft, ttft, e2e, Percentiles.EMPTY, Percentiles.EMPTY, decode, Percentiles.EMPTY),
                new StepResult.Throughput(ok == 0 ? 0 : 45.0 * level, ok / 5.0, 5, null),
                new StepResult.WarmTurns(null, null, null, null, null),
                null, Fairness.NONE, AnswerSanity.NONE,
                new StepResult.Checks(null, List.of(), new ArrayList<>(flags), partial != null, partial),
                null, null, null, null, null, null, null);
    }

    private static StepResult good(String scenario, String kind, int level) {
        return step(scenario, kind, level, 10, 10, List.of(), List.of(), null);
    }

    private static StepResult timedOut(String scenario, String kind, int level) {
        return step(scenario, kind, level, 5, 0, List.of(new ErrorReason("timeout_first_token", "", 5)), List.of(), null);
    }

    @Test
    void aTargetWithoutOneSuccessfulRequest_fails_evenWithoutAnSlo() throws Exception {
        RunVerdict v = RunVerdict.of(plan(SEQUENCE, ""), List.of(timedOut("short", "SEQUENTIAL", 1)));
        assertThat(v.sloFailed()).isTrue();
        assertThat(v.sloVerdicts().get("t")).startsWith("FAILS: no successful requests in any step")
                .contains("5/5 timeout_first_token (no generated token within the first-token timeout)");
    }

    @Test
    void aStepWhereNothingFinished_failsWithTheReasonItWasGiven_andNeverPrintsNaN() throws Exception {
        Flag silent = new Flag(Flag.NOTHING_MEASURED, "s", "nothing measured: the target answered none of the 2 requests sent: no response within 7.0 s, connections open");
        StepResult nothing = step("sweep", "CLOSED", 1, 0, 0, List.of(), List.of(silent), null);
        RunVerdict v = RunVerdict.of(plan(SWEEP, "slo: { ttft_p50: 1s, decode_p50_tok_s: 20 }\n"), List.of(nothing));
        assertThat(v.sloFailed()).isTrue();
        assertThat(v.sloVerdicts().get("t")).contains("no successful requests").contains("answered none of the 2 requests sent");
        assertThat(v.collapses().get(0).line()).contains("fails at 1").contains("answered none").doesNotContain("NaN");
        assertThat(SloCheck.breaches(nothing, io.tokensiege.common.plan.Slo.NONE)).isEmpty();
        assertThat(String.join(" ", SloCheck.breaches(nothing, new io.tokensiege.common.plan.Slo(1000L, 2000L, 20.0, 0.01)))).doesNotContain("NaN");
    }

    /** The same step as repeat {@code n}. */
    private static StepResult repeat(StepResult r, int n) {
        StepResult.Identity i = r.identity();
        return new StepResult(new StepResult.Identity(i.stepId() + "-r" + n, i.label(), i.target(), i.scenario(), i.kind(), i.concurrency(), n,
                i.timeScale(), i.simulated()), r.workerShares(), r.outcome(), r.dist(), r.throughput(), r.warm(), r.reasoningShare(), r.fairness(),
                r.sanity(), r.checks(), r.open(), r.start(), r.promptSize(), r.server(), r.connections(), r.agents(), r.parts());
    }

    @Test
    void aSweepWithRepeats_isJudgedOnEveryRepeat_theMostCautiousAnswerWins() throws Exception {
        String slo = "slo: { ttft_p50: 1s, error_rate: 0.05 }\n";
        String sweep = "scenarios:\n  - { name: sweep, prompt: { tokens: 32 }, load: { concurrency: [1, 4], duration: 5s }, repeat: 3 }\n";
        StepResult erring4 = step("sweep", "CLOSED", 4, 10, 8, List.of(new ErrorReason("http_5xx", "overloaded", 2)), List.of(), null);
        StepResult erring1 = step("sweep", "CLOSED", 1, 10, 8, List.of(new ErrorReason("http_5xx", "overloaded", 2)), List.of(), null);
        // Repeat 1 holds everywhere; repeat 2 breaks at 4; repeat 3 at its first level.
        List<StepResult> results = List.of(good("sweep", "CLOSED", 1), good("sweep", "CLOSED", 4),
                repeat(good("sweep", "CLOSED", 1), 2), repeat(erring4, 2), repeat(erring1, 3), repeat(good("sweep", "CLOSED", 4), 3));
        RunVerdict v = RunVerdict.of(plan(sweep, slo), results);
        assertThat(v.sloFailed()).isTrue();
        assertThat(v.sloVerdicts().get("t")).startsWith("FAILS the SLO: sweep fails at its first level, 1 stream");
        assertThat(v.collapses()).singleElement().satisfies(c -> {
            assertThat(c.collapseLevel()).isEqualTo(1.0);
            assertThat(c.line()).endsWith("(the most cautious of 3 repeats, which collapse at: none, 4, 1)");
        });
        // Repeats that agree say so.
        RunVerdict same = RunVerdict.of(plan(sweep, slo), List.of(good("sweep", "CLOSED", 1), erring4, repeat(good("sweep", "CLOSED", 1), 2), repeat(erring4, 2)));
        assertThat(same.sloVerdicts().get("t")).isEqualTo("MEETS the SLO up to 1 stream in sweep (collapses at 4 streams)");
        assertThat(same.collapses().get(0).line()).endsWith("(the same in all 2 repeats)");
    }

    @Test
    void aSingleLevelStepBesideASweep_isJudgedToo() throws Exception {
        String both = SWEEP + "  - { name: short, prompt: { tokens: 32 }, requests: 9 }\n";
        StepResult erring = step("short", "SEQUENTIAL", 1, 9, 8, List.of(new ErrorReason("http_5xx", "overloaded", 1)), List.of(), null);
        RunVerdict v = RunVerdict.of(plan(both, "slo: { ttft_p50: 1s, error_rate: 0.05 }\n"),
                List.of(good("sweep", "CLOSED", 1), good("sweep", "CLOSED", 4), erring));
        assertThat(v.sloFailed()).isTrue();
        assertThat(v.sloVerdicts().get("t")).startsWith("FAILS the SLO: short: errors 11.1% > 5.0%");
        RunVerdict clean = RunVerdict.of(plan(both, "slo: { ttft_p50: 1s, error_rate: 0.05 }\n"),
                List.of(good("sweep", "CLOSED", 1), good("sweep", "CLOSED", 4), good("short", "SEQUENTIAL", 1)));
        assertThat(clean.sloVerdicts().get("t")).isEqualTo("MEETS the SLO up to 4 streams in sweep (no collapse up to 4 streams)");
    }

    @Test
    void aTargetWithNoFinishedStep_isNotMeasured_andFails() throws Exception {
        RunVerdict v = RunVerdict.of(plan(SWEEP, "slo: { ttft_p50: 1s }\n"), List.of());
        assertThat(v.sloFailed()).isTrue();
        assertThat(v.sloVerdicts().get("t")).startsWith("NOT MEASURED");
    }

    @Test
    void aPartialStep_neverMeetsTheSlo_whateverItsNumbers() throws Exception {
        StepResult partial = step("short", "SEQUENTIAL", 1, 5, 5, List.of(), List.of(), "lost worker(s) [w2] mid-step at +3000 ms; their share is missing");
        RunVerdict v = RunVerdict.of(plan(SEQUENCE, "slo: { ttft_p50: 1s }\n"), List.of(partial));
        assertThat(v.sloFailed()).isTrue();
        assertThat(v.sloVerdicts().get("t")).startsWith("FAILS the SLO").contains("partial step (lost worker(s) [w2]");
    }

    @Test
    void aSweep_isUsableUpToItsLastWholeLevel_andNotJudgedFromAPartialOne() throws Exception {
        StepResult cut = step("sweep", "CLOSED", 4, 10, 10, List.of(), List.of(), "aborted by Ctrl-C (SIGINT) at +4.0 s");
        RunVerdict v = RunVerdict.of(plan(SWEEP, "slo: { ttft_p50: 1s }\n"), List.of(good("sweep", "CLOSED", 1), cut));
        Collapse c = v.collapses().get(0);
        assertThat(c.usableConcurrency()).isEqualTo(1.0);
        assertThat(c.rule()).isEqualTo(KneeFinder.NOT_JUDGED);
        assertThat(c.line()).contains("is not judged from 4: partial step (aborted by Ctrl-C (SIGINT)").doesNotContain("collapses");
        assertThat(v.sloVerdicts().get("t")).isEqualTo("MEETS the SLO up to 1 stream in sweep (not judged from 4 streams)");
    }

    @Test
    void aSweepWhoseFirstLevelHasNoSuccess_failsThere_withTheDominantError() throws Exception {
        StepResult refused = step("sweep", "CLOSED", 1, 4, 0, List.of(new ErrorReason("http_4xx", "exceed_context_size (7,868 > 4,096 tokens)", 4)), List.of(), null);
        RunVerdict v = RunVerdict.of(plan(SWEEP, "slo: { ttft_p50: 1s }\n"), List.of(refused, good("sweep", "CLOSED", 4)));
        assertThat(v.sloFailed()).isTrue();
        assertThat(v.sloVerdicts().get("t")).contains("sweep fails at its first level, 1 stream: no successful requests (failed: 4/4 http_4xx exceed_context_size");
    }

    @Test
    void goodSteps_stillMeetTheSlo() throws Exception {
        RunVerdict v = RunVerdict.of(plan(SEQUENCE, "slo: { ttft_p50: 1s }\n"), List.of(good("short", "SEQUENTIAL", 1)));
        assertThat(v.sloFailed()).isFalse();
        assertThat(v.sloVerdicts().get("t")).isEqualTo("MEETS the SLO");
    }

    @Test
    void nothingMeasured_isExplainedByWhatTheTargetDid() {
        RequestRecord timedOut = unanswered("timeout_first_token", 3_000_000L);
        RequestRecord cancelled = unanswered(null, 7_000_000L);
        assertThat(Unanswered.of(List.of(timedOut, cancelled), 1.0)).hasValueSatisfying(u -> {
            assertThat(u.unreachable()).isFalse();
            assertThat(u.conclusive()).isTrue();
            assertThat(u.describe()).isEqualTo("answered none of the 2 requests sent: no response within 7.0 s, connections open");
        });
        // Cut by the step's end before any timeout of their own: a server slower than a short step looks the same.
        assertThat(Unanswered.of(List.of(cancelled, cancelled), 1.0)).hasValueSatisfying(u -> {
            assertThat(u.conclusive()).isFalse();
            assertThat(u.describe()).isEqualTo("answered none of the 2 requests sent within the 7.0 s the step lasted (connections open; the step's end cancelled them)");
        });
        RequestRecord refused = unanswered("connect", 1_000L);
        assertThat(Unanswered.of(List.of(refused), 1.0)).hasValueSatisfying(u -> {
            assertThat(u.conclusive()).isTrue();
            assertThat(u.describe()).isEqualTo("could not be reached: the 1 request failed to connect");
        });
        // https:// to a plain-HTTP port: every connection failed in its TLS handshake, and that is what is said.
        RequestRecord tls = new RequestRecord(refused.origin(), false, refused.times(), refused.tokens(),
                new RequestRecord.Outcome(null, "connect", "SSLHandshakeException: Unsupported or unrecognized SSL message", null, 0, false),
                refused.answer(), null, null, null);
        assertThat(Unanswered.of(List.of(tls, tls), 1.0)).hasValueSatisfying(u -> {
            assertThat(u.tlsOnly()).isTrue();
            assertThat(u.describe()).isEqualTo("could not be reached over TLS: all 2 requests failed in the TLS handshake");
        });
        assertThat(Unanswered.of(List.of(tls, refused), 1.0)).hasValueSatisfying(u -> assertThat(u.tlsOnly()).isFalse());
        // One answer of any kind (even an error status) is an answer.
        RequestRecord hung = cancelled;
        RequestRecord answered = new RequestRecord(new RequestRecord.Origin("s", "w", 0, 0, 0, null),
                true,
                new RequestRecord.Times(0, null, null, null, null, 900L, 1000L, null, null),
                new RequestRecord.Tokens(0, TokenSource.COUNTED, 0, null, 0, 0, 0, null, null, null),
                new RequestRecord.Outcome(null, "http_5xx", "500", null, 500, false),
                new RequestRecord.Answer(null, 0, ""),
                null, null, null);
        assertThat(Unanswered.of(List.of(hung, answered), 1.0)).isEmpty();
        assertThat(Unanswered.of(List.of(), 1.0)).isEmpty();
    }

    private static RequestRecord unanswered(String error, long e2eMicros) {
        return new RequestRecord(new RequestRecord.Origin("s", "w", 0, 0, 0, null),
                false,
                new RequestRecord.Times(0, null, null, null, null, null, e2eMicros, null, null),
                new RequestRecord.Tokens(0, TokenSource.COUNTED, 0, null, 0, 0, 0, null, null, null),
                new RequestRecord.Outcome(null, error, null, null, 0, error == null),
                new RequestRecord.Answer(null, 0, ""),
                null, null, null); // no error: cancelled at the step's end
    }

    @Test
    void aReferenceOfZero_isComparedAbsolutely_insteadOfNaN() {
        RepeatStats.Difference d = RepeatStats.difference(new double[] {0, 0, 0}, new double[] {40, 42, 41});
        assertThat(d.verdict()).startsWith("+41.00 [").endsWith("], significant");
        assertThat(RepeatStats.mean(new double[0]).describe(" tok/s")).doesNotContain("NaN");
    }
}
