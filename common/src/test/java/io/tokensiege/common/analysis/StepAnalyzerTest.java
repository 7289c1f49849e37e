package io.tokensiege.common.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.metric.ServerTimings;
import io.tokensiege.common.metric.TokenSource;
import io.tokensiege.common.plan.Slo;
import io.tokensiege.common.plan.Target;
import io.tokensiege.common.plan.Timeouts;
import io.tokensiege.common.protocol.ConnectionStats;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.common.protocol.StepTotals;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What StepAnalyzer makes of a step's shares: which requests count where. */
class StepAnalyzerTest {
    private static final Target TARGET = new Target("t", "http://127.0.0.1:1/v1", "m", null, Map.of(), Map.of(), null);
    private static final StepSpec STEP = new StepSpec("mixed", 0, StepKind.CLOSED, TARGET, "mixed", 8, 1, 0, 60_000, 0, 0, 64, 0.0, 32, true, 0, List.of(),
            Timeouts.DEFAULT, 7, "nonce", null, null, null);

    private static RequestRecord request(String part, int seq, long ttftMicros, String error) {
        return request(part, seq, 0, ttftMicros, error, null);
    }

    private static RequestRecord request(String part, int seq, int turn, long ttftMicros, String error, ServerTimings server) {
        boolean ok = error == null;
        return new RequestRecord(new RequestRecord.Origin("mixed", "w1", seq % 8, seq, turn, part),
                true,
                new RequestRecord.Times(0, null, ok ? ttftMicros : null, ok ? ttftMicros : null, ok ? ttftMicros : null, ttftMicros / 2, ttftMicros + 1_000_000,
                        ok ? 20_000L : null, ok ? 50.0 : null),
                new RequestRecord.Tokens(ok ? 51 : 0, TokenSource.USAGE, ok ? 51 : 0, null, 0, ok ? 51 : 0, 0, 100, null, ok ? 51 : null),
                new RequestRecord.Outcome(ok ? "length" : null, error, error, error, ok ? 200 : 503, false),
                new RequestRecord.Answer(null, 0, ""),
                null, server, null);
    }

    /**
     * A mixed step's probe is its own part: the level's own figures (requests, error rate, goodput, the SLO) leave it out, as
     * the worker's histograms, error counts and window do. Its successes once counted in the level and its errors did not.
     */
    @Test
    void theProbe_isItsOwnPart_andOutOfTheLevelsErrorRateAndGoodput() {
        List<RequestRecord> records = new ArrayList<>();
        for (int i = 0; i < 79; i++) records.add(request("agent_turns", i, 300_000, null));
        records.add(request("agent_turns", 79, 300_000, "http_5xx"));
        for (int i = 0; i < 30; i++) records.add(request("probe", 100 + i, 80_000, null));
        records.add(request("probe", 130, 80_000, "http_5xx"));
        // As the worker counts them: the level's one error; its histograms and window hold no probe.
        StepTotals totals = new StepTotals(0, 60_000_000, 79 * 51, 80, 111, 80, Map.of("http_5xx", 1), 0, Map.of(), 0, 0, 0, 0L, null,
                StepTotals.WorkerHealth.UNKNOWN, ConnectionStats.NONE, 0);

        StepResult r = StepAnalyzer.analyze(STEP, List.of(new StepAnalyzer.Share("w1", 8, totals, records)), 1000, new Slo(null, null, null, 0.01), null);

        assertThat(r.outcome().requests()).isEqualTo(80);
        assertThat(r.outcome().ok()).isEqualTo(79);
        assertThat(r.outcome().errorRate()).isEqualTo(1 / 80.0);
        assertThat(r.checks().sloBreaches()).as("1 error in 80 breaks a 1 %% limit; with the probe's 30 successes it read 0.9 %%").isNotEmpty();
        assertThat(r.checks().goodput()).isEqualTo(79 / 80.0);
        assertThat(r.parts().get("probe").requests()).isEqualTo(31);
        assertThat(r.parts().get("probe").errors()).isEqualTo(1);
        assertThat(r.parts().get("agent_turns").requests()).isEqualTo(80);
    }

    @Test
    void aStepStoppedByAFailureFloodBeforeItsWindow_saysWhatTheServerAnswered_notThatNothingFinished() {
        StepSpec sweep = new StepSpec("flood", 0, StepKind.CLOSED, TARGET, "sweep", 8, 1, 0, 60_000, 2_000, 0, 64, 0.0, 32, true, 0, List.of(),
                Timeouts.DEFAULT, 7, "nonce", null, null, null);
        List<RequestRecord> records = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            RequestRecord r = request(null, i, 300_000, "http_3xx");
            records.add(new RequestRecord(r.origin(), false, r.times(), r.tokens(), new RequestRecord.Outcome(null, "http_3xx", "307",
                    "redirect to http://other/ not followed", 307, false), r.answer(), null, null, null)); // all in the ramp: unmeasured
        }
        StepTotals totals = new StepTotals(0, 60_000_000, 0, 0, 1_000, 0, Map.of(), 0, Map.of(), 0, 0, 0, 0L, null,
                StepTotals.WorkerHealth.UNKNOWN, ConnectionStats.NONE, 0, 1_000);

        StepResult r = StepAnalyzer.analyze(sweep, List.of(new StepAnalyzer.Share("w1", 8, totals, records)), 1000, null, null);

        assertThat(r.checks().flags()).extracting(Flag::code).contains(Flag.FAILURE_FLOOD, Flag.NOTHING_MEASURED);
        assertThat(r.checks().flags()).filteredOn(f -> f.code().equals(Flag.NOTHING_MEASURED)).singleElement()
                .satisfies(f -> assertThat(f.message()).startsWith("nothing measured: the first 1000 requests all failed before the measurement window"
                        + " opened, and the step was stopped (").contains("http_3xx").contains("not followed"));
    }

    @Test
    void aPrefixStepsCachedShare_isTheServersOwnCount_fromUsageElseLlamaCppsCacheN() {
        StepSpec turns = new StepSpec("prefix", 0, StepKind.TURNS, TARGET, "warm_prefix", 1, 1, 3, 0, 0, 0, 64, 0.0, 32, true, 0, List.of(),
                Timeouts.DEFAULT, 7, "nonce", null, null, null);
        // Prompts of 100 tokens (usage); the server's timings say 90 of a warm turn's came from its cache, and usage says nothing.
        List<RequestRecord> records = List.of(request(null, 0, 1, 900_000, null, new ServerTimings(100, 0, 80.0, 51, 1000.0, 51.0)),
                request(null, 1, 2, 90_000, null, new ServerTimings(10, 90, 8.0, 51, 1000.0, 51.0)),
                request(null, 2, 3, 90_000, null, new ServerTimings(10, 90, 8.0, 51, 1000.0, 51.0)));
        StepTotals totals = new StepTotals(0, 3_000_000, 3 * 51, 3, 3, 3, Map.of(), 0, Map.of(), 0, 0, 0, 0L, null,
                StepTotals.WorkerHealth.UNKNOWN, ConnectionStats.NONE, 0);

        StepResult r = StepAnalyzer.analyze(turns, List.of(new StepAnalyzer.Share("w1", 1, totals, records)), 1000, null, null);

        assertThat(r.warm().warmCachedShare()).as("cache_n 90 of 100 prompt tokens, turns 2+").isEqualTo(0.9);
        assertThat(r.warm().warmCachedTokens()).isEqualTo(180);
    }
}
