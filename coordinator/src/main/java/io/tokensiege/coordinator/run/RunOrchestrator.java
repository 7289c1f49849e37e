package io.tokensiege.coordinator.run;

import io.tokensiege.common.analysis.StepAnalyzer;
import io.tokensiege.common.analysis.RunVerdict;
import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.analysis.Unanswered;
import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.plan.Plan;
import io.tokensiege.common.protocol.AbortStep;
import io.tokensiege.common.protocol.AssignStep;
import io.tokensiege.common.protocol.IntervalSnapshot;
import io.tokensiege.common.protocol.RecordAssembly;
import io.tokensiege.common.protocol.RecordChunk;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.protocol.StartStep;
import io.tokensiege.common.protocol.StepFinished;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.common.protocol.ToCoordinator;
import io.tokensiege.common.protocol.TraceChunk;
import io.tokensiege.common.trace.TraceSplit;
import io.tokensiege.common.protocol.WorkerFailed;
import io.tokensiege.common.protocol.WorkerReady;
import io.tokensiege.coordinator.event.RunListener;
import io.tokensiege.coordinator.event.Failure;
import io.tokensiege.coordinator.report.RunDirectory;
import io.tokensiege.coordinator.server.ServerHttp;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a plan's steps one at a time over the workers: exact shares, a bounded ready barrier, one
 * absolute start instant, snapshots merged as they come, totals merged exactly at the end, and each
 * step persisted before the next begins. Every wait is bounded and names whom it waits for. Which step comes next is
 * {@link KneeSearch}'s decision.
 */
public final class RunOrchestrator {
    private static final Logger log = LoggerFactory.getLogger(RunOrchestrator.class);
    /** Beyond a step's connect timeout, how long the barrier waits for workers that are opening their connections. */
    private static final long BARRIER_SLACK_MILLIS = 5_000;

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
    private volatile String abortReason = "the user";
    private volatile long abortedAtMillis;
    /** Targets that answered nothing in a whole step: their remaining steps are not run. */
    private final Set<String> silentTargets = new java.util.HashSet<>();
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
        directory.onWriteFailure(this::writeFailed);
    }

    /** Entry for worker messages, from any thread. */
    public void onMessage(ToCoordinator message) {
        if (runId.equals(message.runId())) inbox.add(message);
    }

    public void abort() {
        abort("the user");
    }

    /**
     * Stops the run from any thread: the step in progress is aborted on every worker, kept as a partial step over the window it
     * covered, and everything recorded is written. {@code reason} says who asked, after "aborted by": e.g. "Ctrl-C (SIGINT)".
     */
    public void abort(String reason) {
        if (abortRequested) return;
        abortReason = reason;
        abortedAtMillis = System.currentTimeMillis();
        abortRequested = true;
    }

    public RunOutcome execute() {
        List<StepSpec> steps = StepPlanner.expand(plan);
        directory.begin(plan, steps);
        for (var target : plan.targets()) {
            if (abortRequested) break;
            directory.recordServer(target.name(), knowledge.probe(target));
            String silent = knowledge.unanswered(target);
            if (silent != null) log.warn("target {} did not answer before the run: {}", target.name(), silent);
        }
        List<String> misfits = plan.targets().stream().flatMap(t -> knowledge.misfits(plan, t).stream()).toList();
        // Refused before any load: a request the server will reject, or truncate, measures nothing.
        for (String m : misfits) fail(Failure.of(Failure.Kind.PLAN_DOES_NOT_FIT, true, null, null, m));
        int ran = 0;
        KneeSearch search = new KneeSearch(plan, steps, silentTargets::contains);
        while (!abortRequested && misfits.isEmpty()) {
            var next = search.next(results).orElse(null);
            if (next == null) break;
            listener.onStepStarted(next.step(), next.number(), next.total());
            StepResult result = runStep(next.step());
            if (next.planned()) ran++;
            if (result != null && next.step().kind() != StepKind.WARMUP) results.add(result);
            if (terminalFailure()) break;
        }
        if (abortRequested) {
            fail(Failure.of(Failure.Kind.ABORTED, true, null, null, "run aborted by " + abortReason + " after " + ran + " of " + steps.size()
                    + " steps; everything recorded until then is kept"));
        }
        RunVerdict verdict = RunVerdict.of(plan, results);
        Map<String, List<String>> notes = new LinkedHashMap<>();
        for (var target : plan.targets()) notes.put(target.name(), knowledge.notes(target));
        RunOutcome outcome = new RunOutcome(runId, directory.path(), List.copyOf(results), List.copyOf(failures), abortRequested, verdict, notes);
        directory.finish(results, failures, verdict, notes, outcome.status());
        return outcome;
    }

    /** A result file could not be written: a failure the client sees and that makes the exit code 4; the run goes on. */
    private void writeFailed(String message) {
        boolean first = failures.stream().noneMatch(f -> f.kind() == Failure.Kind.WRITE_FAILED && f.workerId() == null);
        fail(Failure.of(Failure.Kind.WRITE_FAILED, false, null, null, message + (first ? " (is the disk full?); the run goes on, with its results in"
                + " memory; hlog and request records are no longer written for this run" : "")));
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
        List<List<io.tokensiege.common.trace.TraceRecord>> traceShares = step.replay() == null ? null
                : TraceSplit.split(scenarioOf(step).trace().trace().units(), shares);
        int first = 0;
        for (int w = 0; w < live.size(); w++) {
            if (shares[w] == 0) continue;
            WorkerLink link = live.get(w);
            assigned.put(link.workerId(), link);
            streamsOf.put(link.workerId(), shares[w]);
            // The worker's records go first, in chunks that each fit one cluster message.
            if (traceShares != null) TraceChunk.of(runId, step.stepId(), link.workerId(), traceShares.get(w)).forEach(link::send);
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
        if (abortRequested) partial = cutShort(step, startAt, finished.values()) + (partial == null ? "" : "; " + partial);
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
        if (!abortRequested) unanswered(step, finished.values());
        directory.writeStep(step, result, finished.values(), failures);
        listener.onStepFinished(step, result);
        return result;
    }

    /**
     * A step in which the target answered not one request (measured or not), and at least one waited out its own timeout (or
     * none could connect), names the target as the cause, and the target's remaining steps are skipped: each would wait out
     * the same timeouts and measure nothing.
     */
    private void unanswered(StepSpec step, Collection<StepFinished> shares) {
        List<RequestRecord> sent = shares.stream().flatMap(f -> f.records().stream()).toList();
        Unanswered.of(sent, step.target().timeScale()).filter(Unanswered::conclusive).ifPresent(u -> {
            silentTargets.add(step.target().name());
            String what = "target '" + step.target().name() + "' (" + step.target().url() + ") " + u.describe() + " in step " + step.stepId()
                    + "; its remaining steps are skipped";
            if (u.unreachable()) fail(Failure.of(Failure.Kind.TARGET_UNREACHABLE, false, step.stepId(), null, what
                    + ": is the server running and reachable from the workers?"));
            else fail(Failure.of(Failure.Kind.TARGET_SILENT, false, step.stepId(), null, what + ": is it overloaded, stuck, or not an OpenAI-compatible server?"));
        });
    }

    /** The partial reason of the step the abort cut: when, and the window the measurement covered (in the target's own time). */
    private String cutShort(StepSpec step, long startAt, Collection<StepFinished> shares) {
        double ts = step.target().timeScale();
        double atSeconds = Math.max(0, abortedAtMillis - startAt) * ts / 1000;
        String what = String.format(Locale.ROOT, "aborted by %s at +%.1f s", abortReason, atSeconds);
        if (!step.isTimed()) return what + ": only the requests finished by then are counted";
        long coveredMicros = shares.stream().filter(f -> f.totals() != null).mapToLong(f -> f.totals().windowMicros()).max().orElse(0);
        return what + String.format(Locale.ROOT, ": measured over the %.1f s of the window it covered, of %.1f s planned",
                coveredMicros * ts / 1e6, step.durationMillis() * ts / 1000);
    }

    private int[] shares(StepSpec step, List<WorkerLink> live) {
        if (!KneeSearch.isSweepLevel(step)) {
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

    /**
     * Waits for every assigned worker to report ready. A worker opens its connections to the target before it does, so the
     * barrier lasts at least the connect timeout; when it runs out, the target is asked directly whether it answers, so the
     * failure names the target when the target is what did not answer.
     */
    private boolean awaitReady(StepSpec step, Map<String, WorkerLink> assigned) {
        Set<String> waiting = new LinkedHashSet<>(assigned.keySet());
        long barrierMillis = Math.max(settings.barrierMillis(), step.timeouts().connectMillis() + BARRIER_SLACK_MILLIS);
        long deadline = System.currentTimeMillis() + barrierMillis;
        while (!waiting.isEmpty()) {
            if (abortRequested) {
                abortStep(step, assigned, "run aborted");
                return false;
            }
            ToCoordinator m = poll(deadline);
            if (m == null) {
                if (lostWorkers(assigned, waiting, step)) {
                    if (!terminalFailure()) continue;
                    abortStep(step, assigned, "the run cannot go on");
                    return false;
                }
                if (System.currentTimeMillis() < deadline) continue;
                ServerHttp.Reply target = new ServerHttp(step.target()).getBase("/models");
                String who = target.unanswered()
                        ? "; the target did not answer either: '" + step.target().name() + "' (" + step.target().url() + "), GET /models: " + target.body()
                                + ". The workers were most likely still waiting on it (opening connections, or ending the previous step's requests)"
                        : "; the target answers (GET /models: HTTP " + target.status() + "), so check the workers' logs";
                fail(Failure.of(Failure.Kind.BARRIER_TIMEOUT, false, step.stepId(), null,
                        "workers not ready after " + barrierMillis + " ms: " + waiting + who));
                abortStep(step, assigned, "barrier timeout");
                return false;
            }
            if (!m.stepId().equals(step.stepId())) continue;
            if (m instanceof WorkerReady) waiting.remove(m.workerId());
            else if (m instanceof WorkerFailed f && !f.terminal() && WorkerFailed.WRITE_FAILED.equals(f.kind())) workerFailed(step, f);
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
        RecordAssembly records = new RecordAssembly(); // a worker's records come in chunks just before its StepFinished
        String partial = null;
        boolean abortSent = false;
        while (!waiting.isEmpty()) {
            if (abortRequested && !abortSent) {
                abortSent = true;
                abortStep(step, assigned, "run aborted by " + abortReason);
                deadline = Math.min(deadline, System.currentTimeMillis() + settings.barrierMillis()); // the drain is bounded too
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
                String bound = abortSent ? "within " + settings.barrierMillis() + " ms of the abort"
                        : String.format(Locale.ROOT, "by the step deadline (%.0f s after the start: %s)", (deadline - startAt) / 1000.0, deadlineRule(step));
                fail(Failure.of(Failure.Kind.STEP_TIMEOUT, false, step.stepId(), null, "no result from " + waiting + " " + bound + "; the step is partial"));
                abortStep(step, assigned, "step deadline passed");
                return "timed out waiting for " + waiting;
            }
            if (!m.stepId().equals(step.stepId())) continue;
            if (m instanceof IntervalSnapshot s) live(step, s, live, startAt);
            else if (m instanceof RecordChunk c && waiting.contains(c.workerId())) records.add(c);
            else if (m instanceof StepFinished f && waiting.remove(f.workerId())) {
                RecordAssembly.Assembled whole = records.complete(f);
                finished.put(f.workerId(), whole.finished());
                if (whole.missing() != null) partial = partial == null ? whole.missing() : partial + "; " + whole.missing();
            }
            else if (m instanceof WorkerFailed f) {
                String why = workerFailed(step, f);
                if (why != null) partial = partial == null ? why : partial + "; " + why;
            }
        }
        return partial;
    }

    /** Records a worker's report of trouble; returns why its share is incomplete, or null when the share is whole. */
    private String workerFailed(StepSpec step, WorkerFailed f) {
        if (WorkerFailed.WRITE_FAILED.equals(f.kind())) {
            fail(Failure.of(Failure.Kind.WRITE_FAILED, false, step.stepId(), f.workerId(), "worker " + f.workerId() + ": " + f.message()));
            return null;
        }
        if (WorkerFailed.WORKER_ERROR.equals(f.kind())) {
            fail(Failure.of(Failure.Kind.WORKER_ERROR, false, step.stepId(), f.workerId(), "worker " + f.workerId() + ": " + f.message()));
            return "worker " + f.workerId() + " hit " + f.message();
        }
        fail(Failure.of(Failure.Kind.WORKER_REJECTED, f.terminal(), step.stepId(), f.workerId(), f.kind() + ": " + f.message()));
        return null;
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

    /** How the step deadline was set, for the failure that says it passed. */
    private String deadlineRule(StepSpec step) {
        String grace = " + " + settings.stepGraceMillis() / 1000 + " s grace";
        if (step.isTimed()) return "ramp + duration + the total timeout + 1 s" + grace;
        return requestsPerStream(step) + " requests x (the total timeout" + (step.thinkMillis() > 0 ? " + think time" : "") + ")" + grace;
    }

    private long expectedMillis(StepSpec step) {
        if (step.isTimed()) return step.rampMillis() + step.durationMillis() + step.timeouts().totalMillis() + 1000;
        return step.rampMillis() + (long) requestsPerStream(step) * (step.timeouts().totalMillis() + step.thinkMillis());
    }

    /** The most requests one stream of an untimed step sends: its requests, or one conversation's turns and follow-ups. */
    private static int requestsPerStream(StepSpec step) {
        return step.conversation() != null ? step.conversation().maxRequests(step.requests()) : step.requests();
    }

    private void abortStep(StepSpec step, Map<String, WorkerLink> assigned, String reason) {
        for (WorkerLink link : assigned.values()) if (link.alive()) link.send(new AbortStep(runId, step.stepId(), reason));
    }

    private io.tokensiege.common.plan.Scenario scenarioOf(StepSpec step) {
        return plan.scenarios().stream().filter(s -> s.name().equals(step.scenario())).findFirst().orElseThrow();
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
