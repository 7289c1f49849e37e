package io.tokensiege.coordinator.metrics;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.protocol.IntervalSnapshot;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.common.protocol.StepTotals.WorkerHealth;
import io.tokensiege.coordinator.event.Failure;
import io.tokensiege.coordinator.event.RunListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The coordinator's {@code GET /metrics} in Prometheus' text format, for every run it carries out. Live figures of the
 * running step (in flight, output tok/s, TTFT and ITL quantiles over the last 5 s, merged over workers from their
 * histograms), counters per target since the coordinator started, and the workers and their load. Listens to every run;
 * a scrape reads a copy taken under the lock, so scrapes never block the run for long.
 */
public final class CoordinatorMetrics implements RunListener {
    /** What the cluster says about each connected worker (id, host, alive, clock_offset_ms), read at scrape time. */
    public interface Workers {
        List<Map<String, Object>> describe();
    }

    private final Workers workers;
    private final Map<String, TargetTally> tallies = new TreeMap<>();
    private final Map<String, Long> failuresByKind = new TreeMap<>();
    private final Map<String, WorkerHealth> lastHealth = new TreeMap<>();
    private StepSpec running;
    private LiveStats live;
    private long runsStarted;

    public CoordinatorMetrics(Workers workers) {
        this.workers = workers;
    }

    /** A run began (its steps follow through the listener). */
    public synchronized void onRunStarted() {
        runsStarted++;
    }

    /** The run ended: no step is running any more. */
    public synchronized void onRunEnded() {
        running = null;
        live = null;
    }

    @Override
    public synchronized void onStepStarted(StepSpec step, int number, int of) {
        running = step.kind() == StepKind.WARMUP ? null : step;
        live = null;
        tally(step);
    }

    @Override
    public synchronized void onSnapshot(StepSpec step, IntervalSnapshot snapshot) {
        tally(step).add(snapshot, step.target().timeScale());
    }

    @Override
    public synchronized void onInterval(StepSpec step, LiveStats stats) {
        if (running != null && running.stepId().equals(step.stepId())) live = stats;
    }

    @Override
    public synchronized void onStepFinished(StepSpec step, StepResult result) {
        TargetTally t = tally(step);
        t.addErrors(result.outcome().errorsByClass());
        if (step.kind() != StepKind.WARMUP) t.finishedSteps++;
        if (running != null && running.stepId().equals(step.stepId())) {
            running = null;
            live = null;
        }
    }

    @Override
    public synchronized void onWorkerHealth(StepSpec step, Map<String, WorkerHealth> health) {
        lastHealth.putAll(health);
    }

    @Override
    public synchronized void onFailure(Failure failure) {
        failuresByKind.merge(failure.kind().name().toLowerCase(java.util.Locale.ROOT), 1L, Long::sum);
    }

    private TargetTally tally(StepSpec step) {
        return tallies.computeIfAbsent(step.target().name(), k -> new TargetTally());
    }

    /** The exposition, as {@code text/plain; version=0.0.4}. */
    public String scrape() {
        List<Map<String, Object>> cluster = workers.describe(); // outside the lock: the cluster has its own
        List<MetricSnapshot> all = new ArrayList<>();
        synchronized (this) {
            all.add(gauge("tokensiege_run_in_progress", "1 while a step of a run is measured", g -> g.accept(point(running != null ? 1 : 0))));
            all.add(counter("tokensiege_runs_started", "runs started since the coordinator started", c -> c.accept(count(runsStarted))));
            liveFigures(all);
            targetCounters(all);
            all.add(counter("tokensiege_run_failures", "typed failures (worker_lost, step_timeout, aborted, ...) since the coordinator started",
                    c -> failuresByKind.forEach((k, n) -> c.accept(count(n, "kind", k)))));
            workerFigures(all, cluster);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(out, new MetricSnapshots(all), EscapingScheme.UNDERSCORE_ESCAPING);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    public static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }

    private void liveFigures(List<MetricSnapshot> all) {
        String target = running == null ? null : running.target().name();
        LiveStats s = target == null ? null : live;
        all.add(gauge("tokensiege_step_info", "the step being measured: its target, scenario and level (value 1)", g -> {
            if (target != null) g.accept(point(1, "target", target, "scenario", running.scenario(), "step", running.label()));
        }));
        all.add(gauge("tokensiege_step_elapsed_seconds", "time since the running step started (wall time)",
                g -> { if (s != null) g.accept(point(s.elapsedMillis() / 1000.0, "target", target)); }));
        all.add(gauge("tokensiege_step_expected_seconds", "the running step's planned length, ramp included (wall time; 0 when it runs a number of requests)",
                g -> { if (s != null) g.accept(point(s.expectedMillis() / 1000.0, "target", target)); }));
        all.add(gauge("tokensiege_in_flight_requests", "requests sent and not ended, over all workers",
                g -> { if (s != null) g.accept(point(s.inFlight(), "target", target)); }));
        all.add(gauge("tokensiege_awaiting_first_token_requests", "of the requests in flight, those still waiting for their first token",
                g -> { if (s != null) g.accept(point(s.awaitingFirstToken(), "target", target)); }));
        all.add(gauge("tokensiege_queued_arrivals", "open loop: arrivals held client-side at the in-flight cap",
                g -> { if (s != null) g.accept(point(s.queued(), "target", target)); }));
        all.add(gauge("tokensiege_output_tokens_per_second", "tokens every stream received per second over the last 5 s (the target's own time)",
                g -> { if (s != null && s.outputTokS() != null) g.accept(point(s.outputTokS(), "target", target)); }));
        all.add(summary("tokensiege_ttft_seconds", "time to first token: quantiles of the first tokens that arrived in the last 5 s, merged over "
                + "workers; count and sum since the coordinator started", t -> t.ttft, target,
                s == null ? null : new Double[] {s.ttftP50Ms(), s.ttftP95Ms(), s.ttftP99Ms()}));
        all.add(summary("tokensiege_itl_seconds", "gaps between tokens: quantiles over the measured requests that ended in the last 5 s; "
                + "count and sum since the coordinator started", t -> t.itl, target,
                s == null ? null : new Double[] {s.itlP50Ms(), s.itlP95Ms(), s.itlP99Ms()}));
    }

    private static final double[] QUANTILES = {0.5, 0.95, 0.99};

    private MetricSnapshot summary(String name, String help, java.util.function.Function<TargetTally, TargetTally.Sum> sumOf, String runningTarget,
                                   Double[] runningQuantilesMs) {
        SummarySnapshot.Builder b = SummarySnapshot.builder().name(name).help(help);
        tallies.forEach((target, t) -> {
            TargetTally.Sum sum = sumOf.apply(t);
            List<Quantile> qs = new ArrayList<>();
            if (target.equals(runningTarget) && runningQuantilesMs != null) {
                for (int i = 0; i < QUANTILES.length; i++) if (runningQuantilesMs[i] != null) qs.add(new Quantile(QUANTILES[i], runningQuantilesMs[i] / 1000));
            }
            b.dataPoint(SummaryDataPointSnapshot.builder().labels(Labels.of("target", target)).count(sum.count).sum(sum.seconds)
                    .quantiles(Quantiles.of(qs)).build());
        });
        return b.build();
    }

    private void targetCounters(List<MetricSnapshot> all) {
        all.add(counter("tokensiege_output_tokens", "output tokens received, every stream (fillers included): token events weighed by what ended requests' usage said each carried",
                c -> tallies.forEach((t, v) -> c.accept(count(v.outputTokens, "target", t)))));
        all.add(counter("tokensiege_requests", "measured requests that ended (ok or failed)",
                c -> tallies.forEach((t, v) -> c.accept(count(v.completedRequests, "target", t)))));
        all.add(counter("tokensiege_failed_requests", "measured requests that failed, counted live (their class comes at step end)",
                c -> tallies.forEach((t, v) -> c.accept(count(v.failedRequests, "target", t)))));
        all.add(counter("tokensiege_request_errors", "failed requests by error class (connect, http_5xx, timeout_first_token, ...), counted when each step ends",
                c -> tallies.forEach((t, v) -> v.errorsByClass.forEach((k, n) -> c.accept(count(n, "target", t, "class", k))))));
        all.add(counter("tokensiege_steps", "steps finished", c -> tallies.forEach((t, v) -> c.accept(count(v.finishedSteps, "target", t)))));
    }

    private void workerFigures(List<MetricSnapshot> all, List<Map<String, Object>> cluster) {
        all.add(gauge("tokensiege_workers_connected", "workers admitted and alive",
                g -> g.accept(point(cluster.stream().filter(w -> Boolean.TRUE.equals(w.get("alive"))).count()))));
        all.add(gauge("tokensiege_worker_up", "1 for a worker that is connected, 0 once it is lost",
                g -> cluster.forEach(w -> g.accept(point(Boolean.TRUE.equals(w.get("alive")) ? 1 : 0, "worker", id(w), "host", String.valueOf(w.get("host")))))));
        all.add(gauge("tokensiege_worker_clock_offset_seconds", "the worker's clock minus the coordinator's, best estimate",
                g -> cluster.forEach(w -> { if (w.get("clock_offset_ms") instanceof Number n) g.accept(point(n.doubleValue() / 1000, "worker", id(w))); })));
        Map<String, WorkerHealth> health = new LinkedHashMap<>(lastHealth);
        all.add(gauge("tokensiege_worker_event_loop_delay_p90_seconds", "last step: p90 lateness of the worker's own event-loop probes",
                g -> health.forEach((w, h) -> g.accept(point(h.eventLoopDelayP90Micros() / 1e6, "worker", w)))));
        all.add(gauge("tokensiege_worker_cpu_share", "last step: the worker JVM's CPU time over wall time and cores (0..1)",
                g -> health.forEach((w, h) -> g.accept(point(h.meanCpuShare(), "worker", w)))));
        all.add(gauge("tokensiege_worker_gc_seconds", "last step: time the worker's JVM spent in garbage collection",
                g -> health.forEach((w, h) -> g.accept(point(h.gcMillis() / 1000.0, "worker", w)))));
        all.add(gauge("tokensiege_worker_client_bound", "last step: 1 when the worker itself may have limited the step (client_bound)",
                g -> health.forEach((w, h) -> g.accept(point(h.clientBound() ? 1 : 0, "worker", w)))));
    }

    private static String id(Map<String, Object> worker) {
        return String.valueOf(worker.get("id"));
    }

    private static MetricSnapshot gauge(String name, String help, Consumer<Consumer<GaugeDataPointSnapshot>> points) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
        points.accept(b::dataPoint);
        return b.build();
    }

    private static MetricSnapshot counter(String name, String help, Consumer<Consumer<CounterDataPointSnapshot>> points) {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
        points.accept(b::dataPoint);
        return b.build();
    }

    private static GaugeDataPointSnapshot point(double value, String... labels) {
        return GaugeDataPointSnapshot.builder().value(value).labels(Labels.of(labels)).build();
    }

    private static CounterDataPointSnapshot count(double value, String... labels) {
        return CounterDataPointSnapshot.builder().value(value).labels(Labels.of(labels)).build();
    }
}
