package io.tokensiege.coordinator.run;

import io.tokensiege.common.analysis.StepAnalyzer;
import io.tokensiege.common.analysis.KneeFinder;
import io.tokensiege.common.analysis.RunVerdict;
import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.metric.Histograms;
import io.tokensiege.common.metric.Metric;
import io.tokensiege.common.plan.Plan;
import io.tokensiege.common.protocol.AbortStep;
import io.tokensiege.common.protocol.AssignStep;
import io.tokensiege.common.protocol.IntervalSnapshot;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.protocol.StartStep;
import io.tokensiege.common.protocol.StepFinished;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.common.protocol.ToCoordinator;
import io.tokensiege.common.protocol.WorkerFailed;
import io.tokensiege.common.protocol.WorkerReady;
import io.tokensiege.coordinator.report.RunDirectory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a plan's steps one at a time over the workers: exact shares, a bounded ready barrier, one
 * absolute start instant, snapshots merged as they come, totals merged exactly at the end, and each
 * step persisted before the next begins. Every wait is bounded and names whom it waits for.
 */
public final class RunOrchestrator {
    private static final Logger log = LoggerFactory.getLogger(RunOrchestrator.class);

    /**
     * @param barrierMillis     how long every assigned worker has to report ready
     * @param startDelayMillis  lead time between the start broadcast and the start instant
     * @param stepGraceMillis   slack beyond a step's expected length before it is declared timed out
     */
    public record Settings(long barrierMillis, long startDelayMillis, long stepGraceMillis) {
        public static final Settings LOCAL = new Settings(30_000, 100, 30_000);
        public static final Settings LAN = new Settings(30_000, 500, 60_000);
    }

    private final Plan plan;
    private final String runId;
    private final Supplier<List<WorkerLink>> workers;
    private final RunDirectory directory;
    private final RunListener listener;
    private final SecretBox secrets;
    private final Settings settings;
    private final BlockingQueue<ToCoordinator> inbox = new LinkedBlockingQueue<>();
    private final List<Failure> failures = new ArrayList<>();
    private final List<StepResult> results = new ArrayList<>();
    private volatile boolean abortRequested;
    private final TargetKnowledge knowledge;
    private final StepServerMetrics serverMetrics = new StepServerMetrics();

    public RunOrchestrator(Plan plan, String runId, Supplier<List<WorkerLink>> workers, RunDirectory directory, RunListener listener,
                           SecretBox secrets, Settings settings) {
        this.plan = plan;
        this.runId = runId;
        this.workers = workers;
        this.directory = directory;
        this.listener = listener;
        this.secrets = secrets;
        this.settings = settings;
        this.knowledge = new TargetKnowledge(plan.seed());
    }

    /** Entry for worker messages, from any thread. */
    public void onMessage(ToCoordinator message) {
        if (runId.equals(message.runId())) inbox.add(message);
    }

    public void abort() {
        abortRequested = true;
    }

    public RunOutcome execute() {
        List<StepSpec> steps = StepPlanner.expand(plan);
        directory.begin(plan, steps);
        for (var target : plan.targets()) directory.recordServer(target.name(), knowledge.probe(target));
        List<String> misfits = plan.targets().stream().flatMap(t -> knowledge.misfits(plan, t).stream()).toList();
        // Refused before any load: a request the server will reject, or truncate, measures nothing.
        for (String m : misfits) fail(Failure.of(Failure.Kind.PLAN_DOES_NOT_FIT, true, null, null, m));
        for (int i = 0; i < steps.size() && !abortRequested && misfits.isEmpty(); i++) {
            StepSpec step = steps.get(i);
            if (beyondCollapse(step)) continue;
            listener.onStepStarted(step, i + 1, steps.size());
            StepResult result = runStep(step);
            if (result != null && step.kind() != StepKind.WARMUP) results.add(result);
            if (failures.stream().anyMatch(Failure::terminal)) break;
            if (endsSweep(step, i + 1 < steps.size() ? steps.get(i + 1) : null)) refine(step, steps.size());
        }
        if (abortRequested) fail(Failure.of(Failure.Kind.ABORTED, true, null, null, "run aborted by the user"));
        RunVerdict verdict = RunVerdict.of(plan, results);
        Map<String, List<String>> notes = new LinkedHashMap<>();
        for (var target : plan.targets()) notes.put(target.name(), knowledge.notes(target));
        directory.finish(results, failures, verdict, notes);
        return new RunOutcome(runId, directory.path(), List.copyOf(results), List.copyOf(failures), abortRequested, verdict, notes);
    }

    private boolean endsSweep(StepSpec step, StepSpec next) {
        return isSweepLevel(step) && (next == null || !next.scenario().equals(step.scenario()) || !next.target().name().equals(step.target().name())
                || next.repeat() != step.repeat());
    }

    /**
     * With refine, bisects between the last good and the first collapsed level of the sweep just run,
     * one extra step at a time (bounded by refine_steps), so the collapse level is found to within one
     * stream (or ~10 % of a rate) without a finer ladder everywhere.
     */
    private void refine(StepSpec last, int index) {
        var scenario = scenarioOf(last);
        if (scenario == null || scenario.load() == null || scenario.load().refineSteps() == 0) return;
        for (int extra = 0; extra < scenario.load().refineSteps() && !abortRequested; extra++) {
            var c = KneeFinder.find(sweepSoFar(last), plan.slo());
            if (c.collapseLevel() == null || c.usableConcurrency() == null) return;
            double good = c.usableConcurrency(), bad = c.collapseLevel();
            StepSpec step;
            if (scenario.load().isOpen()) {
                if (bad / good < 1.1) return;
                double mid = Math.round(Math.sqrt(good * bad) * 100) / 100.0; // geometric middle of two rates
                step = StepPlanner.open(plan, last.target(), scenario, mid, last.repeat(), index + extra);
            } else {
                int mid = (int) ((good + bad) / 2);
                if (mid <= good || mid >= bad) return;
                step = StepPlanner.step(plan, last.target(), scenario, StepKind.CLOSED, mid, last.repeat(), index + extra);
            }
            listener.onStepStarted(step, index + extra + 1, index + extra + 1);
            StepResult r = runStep(step);
            if (r != null) results.add(r);
        }
    }

    /** With until_collapse, a sweep's levels above its first collapsed level are not run. */
    private boolean beyondCollapse(StepSpec step) {
        if (!isSweepLevel(step)) return false;
        var scenario = scenarioOf(step);
        if (scenario == null || scenario.load() == null || !scenario.load().untilCollapse()) return false;
        List<StepResult> sweep = sweepSoFar(step);
        return !sweep.isEmpty() && KneeFinder.find(sweep, plan.slo()).collapseLevel() != null;
    }

    private static boolean isSweepLevel(StepSpec step) {
        return step.kind() == StepKind.CLOSED || step.kind() == StepKind.OPEN || step.kind() == StepKind.SESSIONS;
    }

    private io.tokensiege.common.plan.Scenario scenarioOf(StepSpec step) {
        return plan.scenarios().stream().filter(s -> s.name().equals(step.scenario())).findFirst().orElse(null);
    }

    /** The levels of {@code step}'s sweep (same target, scenario and repeat) measured so far. */
    private List<StepResult> sweepSoFar(StepSpec step) {
        return results.stream().filter(r -> r.target().equals(step.target().name()) && r.scenario().equals(step.scenario())
                && r.repeat() == step.repeat() && r.requests() > 0).toList();
    }

    private StepResult runStep(StepSpec planned) {
        StepSpec step = knowledge.apply(planned);
        List<WorkerLink> live = workers.get().stream().filter(WorkerLink::alive).toList();
        if (live.isEmpty()) {
            fail(Failure.of(Failure.Kind.WORKER_LOST, true, step.stepId(), null, "no worker is connected; start one with 'tokensiege worker --join HOST'"));
            return null;
        }
        int[] shares = shares(step, live);
        String sealedKey;
        try {
            sealedKey = sealApiKey(step);
        } catch (IllegalStateException e) {
            fail(Failure.of(Failure.Kind.MISSING_SECRET, true, step.stepId(), null, e.getMessage()));
            return null;
        }
        Map<String, WorkerLink> assigned = new LinkedHashMap<>();
        Map<String, Integer> streamsOf = new LinkedHashMap<>();
        int first = 0;
        for (int w = 0; w < live.size(); w++) {
            if (shares[w] == 0) continue;
            WorkerLink link = live.get(w);
            assigned.put(link.workerId(), link);
            streamsOf.put(link.workerId(), shares[w]);
            link.send(new AssignStep(runId, step.stepId(), link.workerId(), step, shares[w], first, sealedKey));
            first += shares[w];
        }
        if (!awaitReady(step, assigned)) return null;
        serverMetrics.before(step.target());

        long startAt = System.currentTimeMillis() + settings.startDelayMillis();
        // One instant on the coordinator's clock, translated to each worker's: clocks that disagree still start together.
        for (WorkerLink link : assigned.values()) link.send(new StartStep(runId, step.stepId(), startAt * 1000 + link.clockOffsetMicros()));
        log.debug("step {} starts at {} on {}", step.stepId(), startAt, assigned.keySet());
        listener.onStepStartInstant(step, startAt);

        Map<String, StepFinished> finished = new LinkedHashMap<>();
        String partial = awaitFinished(step, assigned, finished, startAt);
        List<StepAnalyzer.Share> collected = new ArrayList<>();
        finished.forEach((id, f) -> collected.add(new StepAnalyzer.Share(id, streamsOf.get(id), f.totals(), f.records())));
        StepResult result = StepAnalyzer.analyze(step, collected, plan.defaults().maxPlausibleDecodeTokS(), plan.slo(), partial);
        serverMetrics.after(step.target()).ifPresent(delta -> directory.recordServerMetrics(step.stepId(), delta));
        knowledge.learn(step, finished.values());
        Map<String, io.tokensiege.common.protocol.StepTotals.WorkerHealth> health = new LinkedHashMap<>();
        finished.forEach((id, f) -> {
            if (f.totals() != null && f.totals().health() != null) health.put(id, f.totals().health());
        });
        listener.onWorkerHealth(step, health);
        directory.recordServer(step.target().name(), knowledge.describe(step.target()));
        if (result.requests() > 0 && result.errorsByClass().getOrDefault("connect", 0) == result.requests()) {
            fail(Failure.of(Failure.Kind.TARGET_UNREACHABLE, false, step.stepId(), null,
                    "every request to " + step.target().name() + " failed to connect (" + step.target().url() + "): is the server running and reachable from the workers?"));
        }
        directory.writeStep(step, result, finished.values(), failures);
        listener.onStepFinished(step, result);
        return result;
    }

    private int[] shares(StepSpec step, List<WorkerLink> live) {
        if (!isSweepLevel(step)) {
            int[] one = new int[live.size()];
            one[0] = 1; // a sequence runs on one worker
            return one;
        }
        return ShareSplitter.split(step.concurrency(), live.stream().mapToInt(WorkerLink::capacity).toArray());
    }

    private String sealApiKey(StepSpec step) {
        String env = step.target().apiKeyEnv();
        if (env == null) return null;
        String key = System.getenv(env);
        if (key == null || key.isBlank()) {
            throw new IllegalStateException("target '" + step.target().name() + "' names api_key_env " + env
                    + " but that environment variable is not set on the coordinator: export " + env + "=... and run again");
        }
        return secrets.seal(key);
    }

    private boolean awaitReady(StepSpec step, Map<String, WorkerLink> assigned) {
        Set<String> waiting = new LinkedHashSet<>(assigned.keySet());
        long deadline = System.currentTimeMillis() + settings.barrierMillis();
        while (!waiting.isEmpty()) {
            ToCoordinator m = poll(deadline);
            if (m == null) {
                if (lostWorkers(assigned, waiting, step)) {
                    if (!terminalFailure()) continue;
                    abortStep(step, assigned, "the run cannot go on");
                    return false;
                }
                if (System.currentTimeMillis() < deadline) continue;
                fail(Failure.of(Failure.Kind.BARRIER_TIMEOUT, false, step.stepId(), null,
                        "workers not ready after " + settings.barrierMillis() + " ms: " + waiting + "; check their logs"));
                abortStep(step, assigned, "barrier timeout");
                return false;
            }
            if (!m.stepId().equals(step.stepId())) continue;
            if (m instanceof WorkerReady) waiting.remove(m.workerId());
            else if (m instanceof WorkerFailed f) {
                fail(Failure.of(Failure.Kind.WORKER_REJECTED, f.terminal(), step.stepId(), f.workerId(), f.kind() + ": " + f.message()));
                abortStep(step, assigned, "a worker rejected the step");
                return false;
            }
        }
        return true;
    }

    /** Collects every assigned worker's StepFinished; returns why the step is partial, or null. */
    private String awaitFinished(StepSpec step, Map<String, WorkerLink> assigned, Map<String, StepFinished> finished, long startAt) {
        Set<String> waiting = new LinkedHashSet<>(assigned.keySet());
        long deadline = startAt + expectedMillis(step) + settings.stepGraceMillis();
        LiveWindow live = new LiveWindow(step, startAt);
        String partial = null;
        while (!waiting.isEmpty()) {
            if (abortRequested) {
                abortStep(step, assigned, "run aborted");
                deadline = Math.min(deadline, System.currentTimeMillis() + settings.barrierMillis());
            }
            ToCoordinator m = poll(deadline);
            if (m == null) {
                Set<String> before = new LinkedHashSet<>(waiting);
                if (lostWorkers(assigned, waiting, step)) {
                    before.removeAll(waiting);
                    partial = "lost worker(s) " + before + " mid-step at +" + (System.currentTimeMillis() - startAt) + " ms; their share is missing";
                    if (terminalFailure()) { // stop the others now rather than at the step's end
                        abortStep(step, assigned, "the run cannot go on");
                        deadline = Math.min(deadline, System.currentTimeMillis() + settings.barrierMillis());
                    }
                    continue;
                }
                if (System.currentTimeMillis() < deadline) continue;
                fail(Failure.of(Failure.Kind.STEP_TIMEOUT, false, step.stepId(), null, "no result from " + waiting + " by the step deadline; the step is partial"));
                abortStep(step, assigned, "step deadline passed");
                return "timed out waiting for " + waiting;
            }
            if (!m.stepId().equals(step.stepId())) continue;
            if (m instanceof IntervalSnapshot s) live(step, s, live, startAt);
            else if (m instanceof StepFinished f && waiting.remove(f.workerId())) finished.put(f.workerId(), f);
            else if (m instanceof WorkerFailed f) fail(Failure.of(Failure.Kind.WORKER_REJECTED, f.terminal(), step.stepId(), f.workerId(), f.kind() + ": " + f.message()));
        }
        return partial;
    }

    private boolean terminalFailure() {
        return failures.stream().anyMatch(Failure::terminal);
    }

    private boolean lostWorkers(Map<String, WorkerLink> assigned, Set<String> waiting, StepSpec step) {
        boolean lost = false;
        for (String id : List.copyOf(waiting)) {
            if (!assigned.get(id).alive()) {
                waiting.remove(id);
                fail(Failure.of(Failure.Kind.WORKER_LOST, assigned.get(id).lossEndsRun(), step.stepId(), id, "worker " + id + " " + assigned.get(id).lostReason()
                        + " during step " + step.stepId()));
                lost = true;
            }
        }
        return lost;
    }

    private void live(StepSpec step, IntervalSnapshot s, LiveWindow live, long startAt) {
        directory.writeInterval(step, s, startAt);
        listener.onSnapshot(step, s);
        listener.onInterval(step, live.add(s));
    }

    private long expectedMillis(StepSpec step) {
        if (step.isTimed()) return step.rampMillis() + step.durationMillis() + step.timeouts().totalMillis() + 1000;
        int perStream = step.requests();
        return (long) perStream * (step.timeouts().totalMillis() + step.thinkMillis());
    }

    private void abortStep(StepSpec step, Map<String, WorkerLink> assigned, String reason) {
        for (WorkerLink link : assigned.values()) if (link.alive()) link.send(new AbortStep(runId, step.stepId(), reason));
    }

    private ToCoordinator poll(long deadline) {
        try {
            long wait = Math.min(100, Math.max(1, deadline - System.currentTimeMillis()));
            return inbox.poll(wait, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abortRequested = true;
            return null;
        }
    }

    private void fail(Failure f) {
        failures.add(f);
        log.warn("{}{}: {}", f.kind(), f.stepId() == null ? "" : " in " + f.stepId(), f.message());
        directory.appendFailure(f);
        listener.onFailure(f);
    }
}
