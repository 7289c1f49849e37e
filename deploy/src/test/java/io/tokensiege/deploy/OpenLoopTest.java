package io.tokensiege.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tokensiege.common.analysis.Collapse;
import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.plan.PlanReader;
import io.tokensiege.coordinator.run.RunOutcome;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Open loop against a simulated 4-slot server (about 1.1 requests/s of 60 tokens at full batch): within
 * capacity the achieved rate is the requested one; beyond it the wait moves into ttft_intended and the
 * schedule lag, arrivals the step could not send are counted, and the knee finder names the rate.
 */
@org.junit.jupiter.api.Timeout(value = 300, unit = java.util.concurrent.TimeUnit.SECONDS)
class OpenLoopTest {
    @TempDir
    Path runs;

    @Test
    void withinCapacity_achievedMatchesRequested_beyondIt_intendedTtftGrowsAndNotSentIsCounted() throws Exception {
        String yaml = """
                name: open
                targets:
                  - { name: four-slots, simulated: { profile: dense-26b, speed: 20 } }
                defaults: { warmup: 1, max_tokens: 60, ramp: 0s, timeouts: { total: 20s } }
                scenarios:
                  - { name: arrivals, prompt: { tokens: 32, unique: true },
                      load: { rate: [0.25, 2], arrival: constant, max_in_flight: 4, duration: 40s } }
                slo: { ttft_p50: 1s }
                """;
        RunOutcome o = LocalRun.execute(PlanReader.parse(yaml, "open.yaml"), 1, runs, new PrintStream(new ByteArrayOutputStream()), null);
        StepResult low = o.steps().get(0);
        StepResult high = o.steps().get(1);

        assertThat(low.open().requestedRate()).isEqualTo(0.25);
        assertThat(low.open().achievedRate()).isCloseTo(0.25, within(0.02 * 0.25));
        assertThat(low.open().notSent()).isZero();
        assertThat(low.open().lagP50Ms()).isLessThan(100); // sent on schedule (simulated ms: 5 real ms at 20x; the first arrival runs cold code)

        assertThat(high.open().scheduled()).isEqualTo(80); // 2/s over 40 s, constant arrivals
        // What was sent, not what was due: held by the cap of 4 in flight, sends keep pace with completions, not with the schedule.
        assertThat(high.open().achievedRate()).isLessThan(0.9 * 2).isCloseTo(high.throughput().requestRate(), within(0.2 * high.throughput().requestRate()));
        assertThat(high.open().notSent()).isPositive();
        assertThat(high.checks().flags()).anyMatch(f -> f.code().equals("not_sent"));
        assertThat(high.open().lagP50Ms()).isGreaterThan(1000);
        assertThat(high.open().ttftIntendedMs().p50()).isGreaterThan(3 * high.dist().ttftMs().p50());
        assertThat(high.dist().ttftMs().p50()).isLessThan(5_000); // from send, the capped server looks fine...
        assertThat(high.open().ttftIntendedMs().p50()).isGreaterThan(5_000); // ...from the schedule, it is not

        Collapse c = o.verdict().collapses().get(0);
        assertThat(c.collapseLevel()).isEqualTo(2.0);
        assertThat(c.usableConcurrency()).isEqualTo(0.25);
        assertThat(c.line()).contains("collapses at 2 req/s").contains("usable rate 0.25 req/s").contains("from intended start");
        assertThat(Files.readString(o.directory().resolve("summary.md"))).contains("arrivals @2 req/s: schedule lag p50 / p99");
        // The report draws and tabulates the TTFT the verdict judged (from the intended start), with the SLO on it, not on TTFT from send.
        String report = Files.readString(o.directory().resolve("report.html"));
        assertThat(report).contains("<table class=\"percentile-table\" data-metric=\"ttft_intended\"").contains("TTFT from send by percentile");
        java.util.regex.Matcher intendedChart = java.util.regex.Pattern.compile("<svg[^>]*histogram-chart[^>]*data-metric=\"ttft_intended\".*?</svg>", java.util.regex.Pattern.DOTALL)
                .matcher(report);
        assertThat(intendedChart.find()).as("a chart of TTFT from the intended start").isTrue();
        assertThat(intendedChart.group()).contains("class=\"slo-line\"");
        java.util.regex.Matcher fromSend = java.util.regex.Pattern.compile("<svg[^>]*histogram-chart[^>]*data-metric=\"ttft\".*?</svg>", java.util.regex.Pattern.DOTALL).matcher(report);
        assertThat(fromSend.find()).isTrue();
        assertThat(fromSend.group()).doesNotContain("class=\"slo-line\"");
        // One interval log per rate: the two open-loop steps must not write over each other.
        assertThat(o.directory().resolve("hlog/four-slots/arrivals/rate0.25.hlog")).isRegularFile();
        assertThat(o.directory().resolve("hlog/four-slots/arrivals/rate2.hlog")).isRegularFile();
    }
}
