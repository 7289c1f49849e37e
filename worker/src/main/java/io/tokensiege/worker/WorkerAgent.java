package io.tokensiege.worker;

import io.tokensiege.common.protocol.AbortStep;
import io.tokensiege.common.protocol.AssignStep;
import io.tokensiege.common.protocol.EpochMicros;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.protocol.StartStep;
import io.tokensiege.common.protocol.StepFinished;
import io.tokensiege.common.protocol.ToCoordinator;
import io.tokensiege.common.protocol.ToWorker;
import io.tokensiege.common.protocol.TraceChunk;
import io.tokensiege.common.protocol.WorkerFailed;
import io.tokensiege.common.security.TargetAllowList;
import io.tokensiege.common.trace.TraceRecord;
import io.tokensiege.worker.load.FileDescriptors;
import io.tokensiege.worker.load.StepRunner;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's brain, independent of transport: takes {@link ToWorker} messages (from the in-process
 * bus or the cluster), runs step shares, and sends {@link ToCoordinator} messages back. Refuses
 * targets outside its allow-list, and any target URL with user-info. An aborted share reports the window it covered, not the
 * one planned; an error of the JVM itself (out of memory) is reported for every share it may have spoiled, which are aborted.
 */
public final class WorkerAgent {
    private static final Logger log = LoggerFactory.getLogger(WorkerAgent.class);

    private final Vertx vertx;
    private final String workerId;
    private final SecretBox secrets;
    private final Consumer<ToCoordinator> send;
    private final TargetAllowList allowTargets;
    private volatile Path dataDir;
    private final Map<String, StepRunner> runners = new ConcurrentHashMap<>();
    private final TraceInbox traces = new TraceInbox();
    private final Map<String, String> runOfStep = new ConcurrentHashMap<>();
    /** Step id -> when its abort arrived (epoch µs): its measurement window ends there. */
    private final Map<String, Long> abortedAtMicros = new ConcurrentHashMap<>();

    /** @param allowTargets {@link TargetAllowList} patterns (SCHEME://HOST[:PORT]); empty = anywhere */
    public WorkerAgent(Vertx vertx, String workerId, SecretBox secrets, Consumer<ToCoordinator> send, java.util.List<String> allowTargets) {
        this(vertx, workerId, secrets, send, TargetAllowList.parse(allowTargets));
    }

    /**
     * @param allowTargets where load may go (scheme, host and port); {@link TargetAllowList#ANY} = anywhere
     */
    public WorkerAgent(Vertx vertx, String workerId, SecretBox secrets, Consumer<ToCoordinator> send, TargetAllowList allowTargets) {
        this.vertx = vertx;
        this.workerId = workerId;
        this.secrets = secrets;
        this.send = send;
        this.allowTargets = allowTargets;
        Handler<Throwable> previous = vertx.exceptionHandler();
        vertx.exceptionHandler(t -> {
            if (t instanceof VirtualMachineError e) jvmError(e);
            if (previous != null) previous.handle(t);
            else log.error("unhandled exception on an event loop", t); // what Vert.x logs when no handler is set
        });
    }

    public String workerId() {
        return workerId;
    }

    /** Keeps each step's request records under {@code dir} (its run's folder) as well as sending them; without it they live in a temporary file. */
    public WorkerAgent keepRecordsIn(Path dir) {
        this.dataDir = dir;
        return this;
    }

    public void onMessage(ToWorker message) {
        if (message instanceof TraceChunk c) {
            traces.add(c);
        } else if (message instanceof AssignStep a) {
            assign(a);
        } else if (message instanceof StartStep s) {
            StepRunner r = runners.get(s.stepId());
            if (r == null) {
                send.accept(new WorkerFailed(s.runId(), s.stepId(), workerId, "unknown_step", "start for a step this worker was not assigned", false));
                return;
            }
            r.start(s.startEpochMicros()).onComplete(ar -> runners.remove(s.stepId()));
        } else if (message instanceof AbortStep a) {
            abort(a.stepId(), a.reason());
        }
    }

    /** Stops every step now (coordinator lost, or shutdown): in-flight requests are cancelled. */
    public void abortAll(String reason) {
        for (String stepId : java.util.List.copyOf(runners.keySet())) abort(stepId, reason);
    }

    private void abort(String stepId, String reason) {
        StepRunner r = runners.remove(stepId);
        if (r == null) return;
        abortedAtMicros.put(stepId, EpochMicros.now());
        r.abort(reason);
    }

    /** Out of memory (or another error of the JVM): every running share may be incomplete; say so, once per share, and stop them. */
    private void jvmError(VirtualMachineError e) {
        for (String stepId : java.util.List.copyOf(runners.keySet())) {
            String runId = runOfStep.get(stepId);
            if (runId == null || !runners.containsKey(stepId)) continue;
            log.error("{} during step {}: aborting this worker's share", e, stepId);
            send.accept(new WorkerFailed(runId, stepId, workerId, WorkerFailed.WORKER_ERROR, e.getClass().getSimpleName() + " (" + e.getMessage()
                    + ") in the worker's JVM; its share was aborted: give the worker more heap (-Xmx) or less load", false));
            abort(stepId, e.getClass().getSimpleName());
        }
    }

    /** The runner's messages on their way out: an aborted share's totals cover the window up to the abort, not the planned one. */
    private void forward(ToCoordinator m) {
        if (m instanceof StepFinished f) {
            runOfStep.remove(f.stepId());
            Long abortedAt = abortedAtMicros.remove(f.stepId());
            if (abortedAt != null && f.totals() != null) m = CoveredWindow.clip(f, abortedAt);
        }
        send.accept(m);
    }

    private void assign(AssignStep a) {
        String refusal = allowTargets.refusal(a.step().target().url());
        if (refusal != null) {
            log.warn("refused step {}: {}", a.stepId(), refusal);
            send.accept(new WorkerFailed(a.runId(), a.stepId(), workerId, "target_not_allowed", "worker " + workerId + " refuses the target: " + refusal, true));
            return;
        }
        String fileLimit = FileDescriptors.shortage(workerId, a.streams());
        if (fileLimit != null) {
            log.warn("refused step {}: {}", a.stepId(), fileLimit);
            send.accept(new WorkerFailed(a.runId(), a.stepId(), workerId, "file_limit", fileLimit, true));
            return;
        }
        String apiKey;
        try {
            apiKey = secrets.open(a.sealedApiKey());
        } catch (SecurityException e) {
            send.accept(new WorkerFailed(a.runId(), a.stepId(), workerId, "bad_secret", e.getMessage(), true));
            return;
        }
        List<TraceRecord> trace = null;
        if (a.step().replay() != null) {
            int received = traces.received(a.stepId());
            trace = traces.take(a.stepId());
            if (trace == null) {
                send.accept(new WorkerFailed(a.runId(), a.stepId(), workerId, "trace_incomplete", "worker " + workerId + " got " + received
                        + " of its trace chunks for step " + a.stepId() + " before the assignment; the step cannot replay a part of its share", false));
                return;
            }
        }
        StepRunner runner = new StepRunner(vertx, a, apiKey, this::forward, trace, dataDir);
        runOfStep.put(a.stepId(), a.runId());
        runners.put(a.stepId(), runner);
        runner.prepare();
    }
}
