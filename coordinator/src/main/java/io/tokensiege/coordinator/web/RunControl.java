package io.tokensiege.coordinator.web;

import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.plan.Plan;
import io.tokensiege.common.plan.PlanException;
import io.tokensiege.common.plan.PlanOptions;
import io.tokensiege.common.plan.PlanReader;
import io.tokensiege.common.plan.Target;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.common.security.TargetAllowList;
import io.tokensiege.coordinator.cli.ExitCodes;
import io.tokensiege.coordinator.cluster.ClusterCoordinator;
import io.tokensiege.coordinator.live.LiveBoard;
import io.tokensiege.coordinator.metrics.CoordinatorMetrics;
import io.tokensiege.coordinator.report.ConsoleProgress;
import io.tokensiege.coordinator.report.LiveLine;
import io.tokensiege.coordinator.event.RunListener;
import io.tokensiege.coordinator.run.RunOrchestrator;
import io.tokensiege.coordinator.run.RunOutcome;
import io.tokensiege.coordinator.run.RunService;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run lifecycle, one run at a time: a plan is checked (the same line-precise rules as the CLI, then this
 * coordinator's --allow-target and its workers), run on its own thread over the cluster's workers, followed, and
 * stopped. The REST API and the page's forms both come here.
 */
final class RunControl {
    private static final Logger log = LoggerFactory.getLogger(RunControl.class);
    private final ClusterCoordinator cluster;
    private final RunService service;
    private final TargetAllowList allowTargets;
    private final PlanOptions planOptions;
    private final CoordinatorMetrics metrics;
    private final AtomicReference<ActiveRun> current = new AtomicReference<>();
    private static final long FOLLOWER_GRACE_MILLIS = 3_000;

    /** What became of a plan: started, or refused with an HTTP status, a message and the plan's errors (file:line:column ...). */
    sealed interface Submission permits Started, Refused {}

    record Started(String runId, Path directory) implements Submission {}

    record Refused(int status, String error, List<String> errors) implements Submission {}

    /** The run in progress or the last one: its progress lines, live figures and, once ended, its outcome. */
    static final class ActiveRun {
        final String id;
        final String plan;
        final Path dir;
        final ByteArrayOutputStream progress = new ByteArrayOutputStream();
        final AtomicReference<Map<String, Object>> live = new AtomicReference<>();
        final LiveBoard board = new LiveBoard();
        final RunService.Run handle;
        volatile RunOutcome outcome;
        volatile String summary;
        volatile String error;
        final CompletableFuture<Void> ended = new CompletableFuture<>();
        /** A client is following the run (it asked for its status): a stopping coordinator lets it read the end first. */
        volatile boolean followed;
        final CompletableFuture<Void> endServed = new CompletableFuture<>();

        private ActiveRun(String plan, java.util.function.Function<ActiveRun, RunService.Run> prepare) {
            this.plan = plan;
            this.handle = prepare.apply(this);
            this.id = handle.id();
            this.dir = handle.directory();
        }

        String status() {
            return error != null ? "failed" : outcome != null ? outcome.status() : "running";
        }

        boolean running() {
            return status().equals("running");
        }

        List<String> progressLines() {
            return progress.toString(StandardCharsets.UTF_8).lines().toList();
        }
    }

    RunControl(ClusterCoordinator cluster, Path dataRoot, SecretBox secrets, TargetAllowList allowTargets, PlanOptions planOptions,
               CoordinatorMetrics metrics) {
        this.cluster = cluster;
        this.service = new RunService(dataRoot, secrets, RunOrchestrator.Settings.LAN);
        this.allowTargets = allowTargets;
        this.planOptions = planOptions;
        this.metrics = metrics;
    }

    /** The run in progress, or the last one this coordinator ran; null before the first. */
    ActiveRun current() {
        return current.get();
    }

    /** Checks the plan from its bytes (invalid UTF-8 is refused with its offset, never replaced) and starts it. */
    Submission start(byte[] yaml, String fileName) {
        Plan plan;
        try {
            plan = PlanReader.parse(yaml, fileName == null || fileName.isBlank() ? "submitted plan" : fileName, planOptions.sent());
        } catch (PlanException e) {
            return new Refused(400, "invalid plan", e.errors().stream().map(Object::toString).toList());
        }
        List<String> outside = plan.targets().stream().filter(t -> !t.isSimulated() && allowTargets.refusal(t.url()) != null)
                .map(t -> "target '" + t.name() + "': " + allowTargets.refusal(t.url())).toList();
        if (!outside.isEmpty()) return new Refused(400, "the plan sends load outside this coordinator's --allow-target", outside);
        if (plan.targets().stream().anyMatch(Target::isSimulated)) {
            return new Refused(400, "simulated targets run in-process only: use 'tokensiege run PLAN --local', or start "
                    + "'tokensiege simulate' and give its url", List.of());
        }
        if (cluster.workers().isEmpty()) return new Refused(409, "no worker has joined: start one with 'tokensiege worker --join HOST'", List.of());
        ActiveRun existing = current.get();
        if (existing != null && existing.running()) return new Refused(409, "run " + existing.id + " is still running; one run at a time", List.of());
        try {
            Map<String, Object> provenance = Map.of("workers", cluster.describeWorkers());
            ActiveRun run = new ActiveRun(plan.name(), active -> prepare(plan, provenance, active));
            current.set(run);
            cluster.routeRunMessagesTo(run.handle::onMessage);
            metrics.onRunStarted();
            Thread t = new Thread(() -> execute(run), "run-" + run.id);
            t.setDaemon(true);
            t.start();
            return new Started(run.id, run.dir);
        } catch (java.io.UncheckedIOException e) {
            return new Refused(500, "cannot start the run: " + e.getCause().getMessage(), List.of());
        } catch (Exception e) {
            return new Refused(500, "cannot start the run: " + e.getMessage(), List.of());
        }
    }

    private RunService.Run prepare(Plan plan, Map<String, Object> provenance, ActiveRun active) {
        try {
            return service.prepare(plan, provenance, cluster::workers, r -> listener(active));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void execute(ActiveRun run) {
        try {
            RunService.Ended ended = run.handle.execute();
            run.summary = ended.summary();
            run.outcome = ended.outcome();
        } catch (RuntimeException e) {
            log.error("run {} failed", run.id, e); // its follower sees only the message
            run.error = e.toString();
        } finally {
            metrics.onRunEnded();
            run.ended.complete(null);
        }
    }

    /** Stops the run in progress, saying why (in failures.jsonl); false when none is running. */
    boolean abort(String reason) {
        ActiveRun run = current.get();
        if (run == null || !run.running()) return false;
        run.handle.abort(reason);
        return true;
    }

    /**
     * Aborts the run in progress, if any (SIGTERM to the coordinator, tests), and returns when it has ended and written what it
     * recorded, or after {@code waitMillis}. Returns the run's exit code, or -1 when no run was in progress.
     */
    int abortAndWait(String reason, long waitMillis) {
        ActiveRun run = current.get();
        if (run == null || !run.running()) return -1;
        run.handle.abort(reason);
        try {
            run.ended.get(waitMillis, TimeUnit.MILLISECONDS);
            if (run.followed) run.endServed.get(FOLLOWER_GRACE_MILLIS, TimeUnit.MILLISECONDS); // its client polls once a second
        } catch (TimeoutException e) {
            return ExitCodes.RUN_FAILED; // what it wrote so far stays; the failure is the abort itself
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            return ExitCodes.RUN_FAILED;
        }
        return run.outcome == null ? ExitCodes.RUN_FAILED : ExitCodes.of(run.outcome);
    }

    /** {@code GET /api/runs/ID}: progress lines, then the summary and exit code; null when this coordinator has no such run. */
    Map<String, Object> status(String id) {
        ActiveRun run = current.get();
        if (run == null || !run.id.equals(id)) return null;
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("run_id", run.id);
        body.put("directory", run.dir.toAbsolutePath().toString());
        body.put("progress", run.progressLines());
        body.put("status", run.status());
        run.followed = true;
        if (!run.running()) run.endServed.complete(null);
        if (run.error != null) {
            body.put("error", run.error);
            body.put("exit_code", ExitCodes.RUN_FAILED);
        } else if (run.outcome != null) {
            body.put("summary", run.summary);
            body.put("exit_code", ExitCodes.of(run.outcome));
        } else {
            Map<String, Object> now = run.live.get();
            if (now != null) body.put("live", now);
        }
        return body;
    }

    /** Console progress for the API's followers, the page's board, and /metrics, all fed by the one run. */
    private RunListener listener(ActiveRun run) {
        ConsoleProgress console = new ConsoleProgress(new PrintStream(run.progress, true, StandardCharsets.UTF_8), false);
        RunListener apiLive = new RunListener() {
            @Override
            public void onStepStarted(StepSpec step, int number, int of) {
                run.live.set(null);
            }

            @Override
            public void onInterval(StepSpec step, LiveStats stats) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("step", step.label());
                m.put("line", LiveLine.format(stats));
                m.put("elapsed_ms", stats.elapsedMillis());
                m.put("expected_ms", stats.expectedMillis());
                m.put("window_ms", stats.windowMillis());
                m.put("ttft_p50_ms", stats.ttftP50Ms());
                m.put("ttft_p95_ms", stats.ttftP95Ms());
                m.put("output_tok_s", stats.outputTokS());
                m.put("completed", stats.completed());
                m.put("errors", stats.errors());
                m.put("in_flight", stats.inFlight());
                m.put("awaiting_first_token", stats.awaitingFirstToken());
                m.put("queued", stats.queued());
                run.live.set(m);
            }

            @Override
            public void onStepFinished(StepSpec step, StepResult result) {
                run.live.set(null);
            }
        };
        return RunListener.all(console, apiLive, run.board, metrics);
    }
}
