package io.tokensiege.coordinator.run;

import io.tokensiege.common.analysis.RunVerdict;
import io.tokensiege.common.analysis.StepAnalyzer;
import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.plan.Plan;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.protocol.StartStep;
import io.tokensiege.common.protocol.StepFinished;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.common.protocol.StepTotals;
import io.tokensiege.common.protocol.ToCoordinator;
import io.tokensiege.coordinator.event.Failure;
import io.tokensiege.coordinator.event.RunListener;
import io.tokensiege.coordinator.report.RunDirectory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
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
    private final Settings settings;
    private final BlockingQueue<ToCoordinator> inbox = new LinkedBlockingQueue<>();
    private final List<Failure> failures = new ArrayList<>();
    private final List<StepResult> results = new ArrayList<>();
    private final RunAbort abort = new RunAbort();
    private final GivenUpTargets givenUpTargets = new GivenUpTargets();
    private final TargetKnowledge knowledge;
    private final StepServerMetrics serverMetrics = new StepServerMetrics();
    private final ApiKeySealer keySealer;
    private final StepAssigner assigner;
    private final StepWaits waits;

    public RunOrchestrator(Plan plan, String runId, Supplier<List<WorkerLink>> workers, RunDirectory directory, RunListener listener,
                           SecretBox secrets, Settings settings) {
        this.plan = plan;
        this.runId = runId;
        this.workers = workers;
        this.directory = directory;
        this.listener = listener;
        this.settings = settings;
        this.knowledge = new TargetKnowledge(plan.seed());
        this.keySealer = new ApiKeySealer(secrets);
        this.assigner = new StepAssigner(plan, runId);
        this.waits = new StepWaits(runId, settings, inbox, abort, this::fail, this::terminalFailure);
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
        abort.request(reason);
    }

    public RunOutcome execute() {
        List<StepSpec> steps = StepPlanner.expand(plan);
        directory.begin(plan, steps);
        int ran = 0;
        try {
            ran = runSteps(steps);
        } catch (RuntimeException e) {
            // A bug of ours must not cost the user what was measured: the run ends here, and says so where its owner looks.
            log.error("the run stopped on an internal error; what it recorded until then is kept", e);
            fail(Failure.of(Failure.Kind.INTERNAL_ERROR, true, null, null, "tokensiege hit an internal error (" + e + ") and stopped the run after "
                    + results.size() + " measured step(s); everything recorded until then is kept. The coordinator's log has the stack trace:"
                    + " please report it"));
        } catch (OutOfMemoryError e) {
            // Caught at the top of the run only: the step's records it was collecting are unreachable by now, so the run can
            // still write what the earlier steps measured, and say so (else run.json stayed "running" and the JVM exited 1).
            log.error("the coordinator ran out of memory; the run stops, and what earlier steps measured is kept", e);
            fail(Failure.of(Failure.Kind.WORKER_ERROR, true, null, null, "the coordinator's JVM ran out of memory (" + Runtime.getRuntime().maxMemory() / (1 << 20)
                    + " MB heap) after " + results.size() + " measured step(s), most likely holding one step's request records (a server that fails"
                    + " fast can be sent thousands a second); everything recorded until then is kept. Give it more heap (JAVA_OPTS=-Xmx2g)"
                    + " or shorten the steps"));
        }
        if (abort.requested()) {
            fail(Failure.of(Failure.Kind.ABORTED, true, null, null, "run aborted by " + abort.reason() + " after " + ran + " of " + steps.size()
                    + " steps; everything recorded until then is kept"));
        }
        RunVerdict verdict = RunVerdict.of(plan, results);
        Map<String, List<String>> notes = new LinkedHashMap<>();
        for (var target : plan.targets()) notes.put(target.name(), knowledge.notes(target));
        RunOutcome outcome = new RunOutcome(runId, directory.path(), List.copyOf(results), List.copyOf(failures), abort.requested(), verdict, notes);
        directory.finish(results, failures, verdict, notes, outcome.status());
        return outcome;
    }

    /** Probes the targets, then runs what the knee search asks for until it is done or the run ends; returns how many planned steps ran. */
    private int runSteps(List<StepSpec> steps) {
        List<String> unsendable = plan.targets().stream().map(keySealer::problem).filter(java.util.Objects::nonNull).toList();
        for (String problem : unsendable) fail(Failure.of(Failure.Kind.MISSING_SECRET, true, null, null, problem));
        if (!unsendable.isEmpty()) return 0; // not even the probes: they would go without the key, and be refused or mislead
        for (var target : plan.targets()) {
            if (abort.requested()) break;
            directory.recordServer(target.name(), knowledge.probe(target));
            String silent = knowledge.unanswered(target);
            if (silent != null) log.warn("target {} did not answer before the run: {}", target.name(), silent);
        }
        List<String> misfits = plan.targets().stream().flatMap(t -> knowledge.misfits(plan, t).stream()).toList();
        // Refused before any load: a request the server will reject, or truncate, measures nothing.
        for (String m : misfits) fail(Failure.of(Failure.Kind.PLAN_DOES_NOT_FIT, true, null, null, m));
        int ran = 0;
        KneeSearch search = new KneeSearch(plan, steps, givenUpTargets::contains);
        while (!abort.requested() && misfits.isEmpty()) {
            var next = search.next(results).orElse(null);
            if (next == null) break;
            listener.onStepStarted(next.step(), next.number(), next.total());
            StepResult result = runStep(next.step());
            if (next.planned()) ran++;
            if (result != null && next.step().kind() != StepKind.WARMUP) results.add(result);
            if (terminalFailure()) break;
        }
        return ran;
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
        int[] shares = StepAssigner.shares(step, live);
        String sealedKey;
        try {
            sealedKey = keySealer.seal(step);
        } catch (IllegalStateException e) {
            fail(Failure.of(Failure.Kind.MISSING_SECRET, true, step.stepId(), null, e.getMessage()));
            return null;
        }
        StepAssigner.Assignment assignment = assigner.send(step, live, shares, sealedKey);
        try {
            return measure(step, assignment);
        } catch (RuntimeException e) {
            waits.abortStep(step, assignment.workers(), "the coordinator hit an internal error"); // the workers stop now, not at the step's end
            throw e;
        }
    }

    /** One assigned step: the ready barrier, the start instant, the workers' results, and the step's analysis and files. */
    private StepResult measure(StepSpec step, StepAssigner.Assignment assignment) {
        Map<String, WorkerLink> assigned = assignment.workers();
        if (!waits.awaitReady(step, assigned)) return null;
        serverMetrics.before(step.target());

        long startAt = System.currentTimeMillis() + settings.startDelayMillis();
        // One instant on the coordinator's clock, translated to each worker's: clocks that disagree still start together.
        for (WorkerLink link : assigned.values()) link.send(new StartStep(runId, step.stepId(), startAt * 1000 + link.clockOffsetMicros()));
        log.debug("step {} starts at {} on {}", step.stepId(), startAt, assigned.keySet());
        listener.onStepStartInstant(step, startAt);

        Map<String, StepFinished> finished = new LinkedHashMap<>();
        String partial = waits.awaitFinished(step, assigned, finished, startAt, new LiveFeed(directory, listener, step, startAt));
        if (abort.requested()) partial = abort.cutShort(step, startAt, finished.values()) + (partial == null ? "" : "; " + partial);
        List<StepAnalyzer.Share> collected = new ArrayList<>();
        finished.forEach((id, f) -> collected.add(new StepAnalyzer.Share(id, assignment.streams().get(id), f.totals(), f.records())));
        StepResult result = StepAnalyzer.analyze(step, collected, plan.defaults().maxPlausibleDecodeTokS(), plan.slo(), partial);
        serverMetrics.after(step.target()).ifPresent(delta -> directory.recordServerMetrics(step.stepId(), delta));
        knowledge.learn(step, finished.values());
        Map<String, StepTotals.WorkerHealth> health = new LinkedHashMap<>();
        finished.forEach((id, f) -> {
            if (f.totals() != null && f.totals().health() != null) health.put(id, f.totals().health());
        });
        listener.onWorkerHealth(step, health);
        directory.recordServer(step.target().name(), knowledge.describe(step.target()));
        if (!abort.requested()) givenUpTargets.check(step, finished.values()).ifPresent(this::fail);
        directory.writeStep(step, result, finished.values(), failures);
        listener.onStepFinished(step, result);
        return result;
    }

    private boolean terminalFailure() {
        return failures.stream().anyMatch(Failure::terminal);
    }

    private void fail(Failure f) {
        failures.add(f);
        log.warn("{}{}: {}", f.kind(), f.stepId() == null ? "" : " in " + f.stepId(), f.message());
        directory.appendFailure(f);
        listener.onFailure(f);
    }
}
