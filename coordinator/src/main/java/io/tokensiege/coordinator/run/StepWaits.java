package io.tokensiege.coordinator.run;

import io.tokensiege.common.protocol.AbortStep;
import io.tokensiege.common.protocol.IntervalSnapshot;
import io.tokensiege.common.protocol.RecordAssembly;
import io.tokensiege.common.protocol.RecordChunk;
import io.tokensiege.common.protocol.StepFinished;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.common.protocol.ToCoordinator;
import io.tokensiege.common.protocol.WorkerFailed;
import io.tokensiege.common.protocol.WorkerReady;
import io.tokensiege.coordinator.event.Failure;
import io.tokensiege.coordinator.server.ServerHttp;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The two waits of a step on its workers' messages: the ready barrier, and the wait for every share's result. Each is
 * bounded, names whom it waits for when it runs out, and aborts the step on the workers when it gives up.
 */
final class StepWaits {
    /** Beyond a step's connect timeout, how long the barrier waits for workers that are opening their connections. */
    private static final long BARRIER_SLACK_MILLIS = 5_000;

    private final String runId;
    private final RunOrchestrator.Settings settings;
    private final BlockingQueue<ToCoordinator> inbox;
    private final RunAbort abort;
    private final Consumer<Failure> fail;
    private final BooleanSupplier terminalFailure;

    StepWaits(String runId, RunOrchestrator.Settings settings, BlockingQueue<ToCoordinator> inbox, RunAbort abort, Consumer<Failure> fail,
              BooleanSupplier terminalFailure) {
        this.runId = runId;
        this.settings = settings;
        this.inbox = inbox;
        this.abort = abort;
        this.fail = fail;
        this.terminalFailure = terminalFailure;
    }

    /**
     * Waits for every assigned worker to report ready. A worker opens its connections to the target before it does, so the
     * barrier lasts at least the connect timeout; when it runs out, the target is asked directly whether it answers, so the
     * failure names the target when the target is what did not answer.
     */
    boolean awaitReady(StepSpec step, Map<String, WorkerLink> assigned) {
        Set<String> waiting = new LinkedHashSet<>(assigned.keySet());
        long barrierMillis = Math.max(settings.barrierMillis(), step.timeouts().connectMillis() + BARRIER_SLACK_MILLIS);
        long deadline = System.currentTimeMillis() + barrierMillis;
        while (!waiting.isEmpty()) {
            if (abort.requested()) {
                abortStep(step, assigned, "run aborted");
                return false;
            }
            ToCoordinator m = poll(deadline);
            if (m == null) {
                if (lostWorkers(assigned, waiting, step)) {
                    if (!terminalFailure.getAsBoolean()) continue;
                    abortStep(step, assigned, "the run cannot go on");
                    return false;
                }
                if (System.currentTimeMillis() < deadline) continue;
                ServerHttp.Reply target = new ServerHttp(step.target()).getBase("/models");
                String who = target.unanswered()
                        ? "; the target did not answer either: '" + step.target().name() + "' (" + step.target().url() + "), GET /models: " + target.body()
                                + ". The workers were most likely still waiting on it (opening connections, or ending the previous step's requests)"
                        : "; the target answers (GET /models: HTTP " + target.status() + "), so check the workers' logs";
                fail.accept(Failure.of(Failure.Kind.BARRIER_TIMEOUT, false, step.stepId(), null,
                        "workers not ready after " + barrierMillis + " ms: " + waiting + who));
                abortStep(step, assigned, "barrier timeout");
                return false;
            }
            if (!m.stepId().equals(step.stepId())) continue;
            if (m instanceof WorkerReady) waiting.remove(m.workerId());
            else if (m instanceof WorkerFailed f && !f.terminal() && WorkerFailed.WRITE_FAILED.equals(f.kind())) workerFailed(step, f);
            else if (m instanceof WorkerFailed f) {
                fail.accept(Failure.of(Failure.Kind.WORKER_REJECTED, f.terminal(), step.stepId(), f.workerId(), f.kind() + ": " + f.message()));
                abortStep(step, assigned, "a worker rejected the step");
                return false;
            }
        }
        return true;
    }

    /** Collects every assigned worker's StepFinished; returns why the step is partial, or null. */
    String awaitFinished(StepSpec step, Map<String, WorkerLink> assigned, Map<String, StepFinished> finished, long startAt, LiveFeed live) {
        Set<String> waiting = new LinkedHashSet<>(assigned.keySet());
        long deadline = startAt + expectedMillis(step) + settings.stepGraceMillis();
        RecordAssembly records = new RecordAssembly(); // a worker's records come in chunks just before its StepFinished
        String partial = null;
        boolean abortSent = false;
        while (!waiting.isEmpty()) {
            if (abort.requested() && !abortSent) {
                abortSent = true;
                abortStep(step, assigned, "run aborted by " + abort.reason());
                deadline = Math.min(deadline, System.currentTimeMillis() + settings.barrierMillis()); // the drain is bounded too
            }
            ToCoordinator m = poll(deadline);
            if (m == null) {
                Set<String> before = new LinkedHashSet<>(waiting);
                if (lostWorkers(assigned, waiting, step)) {
                    before.removeAll(waiting);
                    partial = "lost worker(s) " + before + " mid-step at +" + (System.currentTimeMillis() - startAt) + " ms; their share is missing";
                    if (terminalFailure.getAsBoolean()) { // stop the others now rather than at the step's end
                        abortStep(step, assigned, "the run cannot go on");
                        deadline = Math.min(deadline, System.currentTimeMillis() + settings.barrierMillis());
                    }
                    continue;
                }
                if (System.currentTimeMillis() < deadline) continue;
                String bound = abortSent ? "within " + settings.barrierMillis() + " ms of the abort"
                        : String.format(Locale.ROOT, "by the step deadline (%.0f s after the start: %s)", (deadline - startAt) / 1000.0, deadlineRule(step));
                fail.accept(Failure.of(Failure.Kind.STEP_TIMEOUT, false, step.stepId(), null, "no result from " + waiting + " " + bound + "; the step is partial"));
                abortStep(step, assigned, "step deadline passed");
                return "timed out waiting for " + waiting;
            }
            if (!m.stepId().equals(step.stepId())) continue;
            if (m instanceof IntervalSnapshot s) live.add(s);
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
            fail.accept(Failure.of(Failure.Kind.WRITE_FAILED, false, step.stepId(), f.workerId(), "worker " + f.workerId() + ": " + f.message()));
            return null;
        }
        if (WorkerFailed.WORKER_ERROR.equals(f.kind())) {
            fail.accept(Failure.of(Failure.Kind.WORKER_ERROR, false, step.stepId(), f.workerId(), "worker " + f.workerId() + ": " + f.message()));
            return "worker " + f.workerId() + " hit " + f.message();
        }
        fail.accept(Failure.of(Failure.Kind.WORKER_REJECTED, f.terminal(), step.stepId(), f.workerId(), f.kind() + ": " + f.message()));
        return null;
    }

    private boolean lostWorkers(Map<String, WorkerLink> assigned, Set<String> waiting, StepSpec step) {
        boolean lost = false;
        for (String id : List.copyOf(waiting)) {
            if (!assigned.get(id).alive()) {
                waiting.remove(id);
                fail.accept(Failure.of(Failure.Kind.WORKER_LOST, assigned.get(id).lossEndsRun(), step.stepId(), id, "worker " + id + " "
                        + assigned.get(id).lostReason() + " during step " + step.stepId()));
                lost = true;
            }
        }
        return lost;
    }

    /** How the step deadline was set, for the failure that says it passed. */
    private String deadlineRule(StepSpec step) {
        String grace = " + " + settings.stepGraceMillis() / 1000 + " s grace";
        if (step.isTimed()) return "ramp + duration + the total timeout + 1 s" + grace;
        return requestsPerStream(step) + " requests x (the total timeout" + (step.thinkMillis() > 0 ? " + think time" : "") + ")" + grace;
    }

    private static long expectedMillis(StepSpec step) {
        if (step.isTimed()) return step.rampMillis() + step.durationMillis() + step.timeouts().totalMillis() + 1000;
        return step.rampMillis() + (long) requestsPerStream(step) * (step.timeouts().totalMillis() + step.thinkMillis());
    }

    /** The most requests one stream of an untimed step sends: its requests, or one conversation's turns and follow-ups. */
    private static int requestsPerStream(StepSpec step) {
        return step.conversation() != null ? step.conversation().maxRequests(step.requests()) : step.requests();
    }

    /** Tells every assigned worker still alive to stop the step now. */
    void abortStep(StepSpec step, Map<String, WorkerLink> assigned, String reason) {
        for (WorkerLink link : assigned.values()) if (link.alive()) link.send(new AbortStep(runId, step.stepId(), reason));
    }

    private ToCoordinator poll(long deadline) {
        try {
            long wait = Math.min(100, Math.max(1, deadline - System.currentTimeMillis()));
            return inbox.poll(wait, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort.interrupted();
            return null;
        }
    }
}
