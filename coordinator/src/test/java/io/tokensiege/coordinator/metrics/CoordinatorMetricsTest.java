package io.tokensiege.coordinator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tokensiege.common.analysis.AnswerSanity;
import io.tokensiege.common.analysis.Fairness;
import io.tokensiege.common.analysis.Percentiles;
import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.metric.Histograms;
import io.tokensiege.common.plan.Target;
import io.tokensiege.common.plan.Timeouts;
import io.tokensiege.common.protocol.IntervalSnapshot;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.common.protocol.StepTotals.WorkerHealth;
import io.tokensiege.coordinator.event.RunListener.LiveStats;
import java.util.List;
import java.util.Map;
import org.hawkular.agent.prometheus.types.Counter;
import org.hawkular.agent.prometheus.types.Gauge;
import org.hawkular.agent.prometheus.types.MetricType;
import org.hawkular.agent.prometheus.types.Summary;
import org.junit.jupiter.api.Test;

/** /metrics as Prometheus reads it: it parses, gauges follow the running step, counters only grow, workers and their load are there. */
class CoordinatorMetricsTest {
    private static final StepSpec STEP = new StepSpec("s1", 0, StepKind.CLOSED, new Target("dense \"lab\"", "http://h:1/v1", "m", null, Map.of(), Map.of(), null),
            "sweep", 8, 1, 0, 30_000, 2_000, 0, 100, 0, 64, true, 0, List.of(), Timeouts.DEFAULT, 1, "n", null, null, null);

    private final CoordinatorMetrics metrics = new CoordinatorMetrics(() -> List.of(
            Map.of("id", "w1", "host", "lab-1", "alive", true, "clock_offset_ms", 1.5),
            Map.of("id", "w2", "host", "lab-2", "alive", false, "clock_offset_ms", 0.0)));

    private static IntervalSnapshot snapshot(long tokens, int completed, int errors, long... ttftMicros) {
        var h = Histograms.create();
        for (long t : ttftMicros) h.recordValue(t);
        return new IntervalSnapshot("r", "s1", "w1", 0, 1000, Map.of(), tokens, completed, errors, 8, Histograms.encode(h), 3, 0);
    }

    private static LiveStats stats(double tokS, double ttftP50Ms) {
        return new LiveStats(3000, 32_000, 3000, ttftP50Ms, ttftP50Ms * 2, ttftP50Ms * 3, tokS, 20.0, 30.0, 40.0, 4, 1, 8, 3, 0);
    }

    /** A finished step as far as /metrics reads it: its errors by class. */
    private static StepResult withErrors(Map<String, Integer> byClass) {
        Percentiles p = new Percentiles(3, 450, 450, 450, 450, 450, 450);
        return new StepResult(new StepResult.Identity("s1", STEP.label(), STEP.target().name(), "sweep", "CLOSED", 8, 1, 1, false),
                Map.of(),
                new StepResult.Outcome(3, 2, byClass, 0, 1 / 3.0, List.of()),
                new StepResult.Distributions(p, p, p, p, Percentiles.EMPTY, Percentiles.EMPTY, p, Percentiles.EMPTY),
                new StepResult.Throughput(100, 1, 3, null),
                new StepResult.WarmTurns(null, null, null, null, null),
                null, Fairness.NONE, AnswerSanity.NONE,
                new StepResult.Checks(null, List.of(), List.of(), false, null),
                null, null, null, null, null, null, null);
    }

    @Test
    void duringAStep_theLiveFiguresAreThere_andTheCountersGrow() throws Exception {
        PrometheusText idle = new PrometheusText(metrics.scrape());
        assertThat(((Gauge) idle.sample("tokensiege_run_in_progress")).getValue()).isZero();
        assertThat(((Gauge) idle.sample("tokensiege_workers_connected")).getValue()).isEqualTo(1);

        metrics.onRunStarted();
        metrics.onStepStarted(STEP, 1, 3);
        metrics.onSnapshot(STEP, snapshot(120, 2, 1, 400_000, 600_000));
        metrics.onInterval(STEP, stats(120, 400));
        PrometheusText first = new PrometheusText(metrics.scrape());
        String target = "dense \"lab\"";
        assertThat(((Gauge) first.sample("tokensiege_run_in_progress")).getValue()).isEqualTo(1);
        assertThat(((Gauge) first.sample("tokensiege_in_flight_requests", "target", target)).getValue()).isEqualTo(8);
        assertThat(((Gauge) first.sample("tokensiege_output_tokens_per_second", "target", target)).getValue()).isEqualTo(120);
        assertThat(first.families.get("tokensiege_ttft_seconds").getType()).isEqualTo(MetricType.SUMMARY);
        Summary ttft = (Summary) first.sample("tokensiege_ttft_seconds", "target", target);
        assertThat(ttft.getQuantiles()).extracting(q -> q.getQuantile()).containsExactly(0.5, 0.95, 0.99);
        assertThat(ttft.getQuantiles().get(0).getValue()).isCloseTo(0.4, within(1e-9));
        assertThat(ttft.getSampleCount()).isEqualTo(2);
        assertThat(ttft.getSampleSum()).isCloseTo(1.0, within(0.002)); // 0.4 s + 0.6 s, at 3 significant digits
        double tokensBefore = ((Counter) first.sample("tokensiege_output_tokens_total", "target", target)).getValue();
        assertThat(tokensBefore).isEqualTo(120);

        metrics.onSnapshot(STEP, snapshot(80, 1, 0, 500_000));
        metrics.onInterval(STEP, stats(100, 450));
        PrometheusText second = new PrometheusText(metrics.scrape());
        assertThat(((Counter) second.sample("tokensiege_output_tokens_total", "target", target)).getValue()).isEqualTo(200);
        assertThat(((Counter) second.sample("tokensiege_requests_total", "target", target)).getValue()).isEqualTo(3);
        assertThat(((Gauge) second.sample("tokensiege_output_tokens_per_second", "target", target)).getValue()).isEqualTo(100);
        assertThat(((Summary) second.sample("tokensiege_ttft_seconds", "target", target)).getSampleCount()).isEqualTo(3);

        metrics.onWorkerHealth(STEP, Map.of("w1", new WorkerHealth(25_000, 0.5, 12)));
        metrics.onStepFinished(STEP, withErrors(Map.of("http_5xx", 1)));
        metrics.onRunEnded();
        PrometheusText after = new PrometheusText(metrics.scrape());
        assertThat(((Gauge) after.sample("tokensiege_run_in_progress")).getValue()).isZero();
        assertThat(after.sample("tokensiege_in_flight_requests", "target", target)).isNull(); // nothing in flight is not 0 of a step
        assertThat(((Counter) after.sample("tokensiege_request_errors_total", "target", target, "class", "http_5xx")).getValue()).isEqualTo(1);
        assertThat(((Counter) after.sample("tokensiege_output_tokens_total", "target", target)).getValue()).isEqualTo(200); // never goes back
        assertThat(((Gauge) after.sample("tokensiege_worker_client_bound", "worker", "w1")).getValue()).isEqualTo(1); // p90 25 ms > 20 ms
        assertThat(((Gauge) after.sample("tokensiege_worker_event_loop_delay_p90_seconds", "worker", "w1")).getValue()).isCloseTo(0.025, within(1e-9));
        assertThat(((Gauge) after.sample("tokensiege_worker_up", "worker", "w2")).getValue()).isZero();
        assertThat(((Gauge) after.sample("tokensiege_worker_clock_offset_seconds", "worker", "w1")).getValue()).isCloseTo(0.0015, within(1e-9));
        theShippedGrafanaDashboard_queriesOnlyWhatIsExposed(first, after);
    }

    /** The dashboard in the distribution (deploy/src/dist/grafana) names no metric /metrics lacks: a renamed one would leave a panel empty. */
    private static void theShippedGrafanaDashboard_queriesOnlyWhatIsExposed(PrometheusText during, PrometheusText after) throws Exception {
        String dashboard = java.nio.file.Files.readString(java.nio.file.Path.of(System.getProperty("basedir", "."))
                .resolve("../deploy/src/dist/grafana/tokensiege-dashboard.json"));
        java.util.Set<String> exposed = new java.util.HashSet<>(during.families.keySet());
        exposed.addAll(after.families.keySet());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("tokensiege_[a-z0-9_]+").matcher(dashboard);
        int named = 0;
        while (m.find()) {
            named++;
            assertThat(exposed).as("metric %s of the Grafana dashboard", m.group()).contains(m.group());
        }
        assertThat(named).isGreaterThan(15);
    }
}
