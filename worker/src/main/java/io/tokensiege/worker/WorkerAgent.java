package io.tokensiege.worker;

import io.tokensiege.common.protocol.AbortStep;
import io.tokensiege.common.protocol.AssignStep;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.protocol.StartStep;
import io.tokensiege.common.protocol.ToCoordinator;
import io.tokensiege.common.protocol.ToWorker;
import io.tokensiege.common.protocol.TraceChunk;
import io.tokensiege.common.trace.TraceRecord;
import java.util.List;
import io.tokensiege.common.protocol.WorkerFailed;
import io.tokensiege.common.security.TargetAllowList;
import io.tokensiege.worker.load.StepRunner;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's brain, independent of transport: takes {@link ToWorker} messages (from the in-process
 * bus or the cluster), runs step shares, and sends {@link ToCoordinator} messages back. Refuses
 * targets outside its allow-list, and any target URL with user-info.
 */
public final class WorkerAgent {
    private static final Logger log = LoggerFactory.getLogger(WorkerAgent.class);

    private final Vertx vertx;
    private final String workerId;
    private final SecretBox secrets;
    private final Consumer<ToCoordinator> send;
    private final TargetAllowList allowTargets;
    private final Map<String, StepRunner> runners = new ConcurrentHashMap<>();
    private final TraceInbox traces = new TraceInbox();

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
    }

    public String workerId() {
        return workerId;
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
            StepRunner r = runners.remove(a.stepId());
            if (r != null) r.abort(a.reason());
        }
    }

    /** Stops every step now (coordinator lost, or shutdown): in-flight requests are cancelled. */
    public void abortAll(String reason) {
        for (var e : runners.entrySet()) {
            e.getValue().abort(reason);
            runners.remove(e.getKey());
        }
    }

    private void assign(AssignStep a) {
        String refusal = allowTargets.refusal(a.step().target().url());
        if (refusal != null) {
            log.warn("refused step {}: {}", a.stepId(), refusal);
            send.accept(new WorkerFailed(a.runId(), a.stepId(), workerId, "target_not_allowed", "worker " + workerId + " refuses the target: " + refusal, true));
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
        StepRunner runner = new StepRunner(vertx, a, apiKey, send, trace);
        runners.put(a.stepId(), runner);
        runner.prepare();
    }
}
