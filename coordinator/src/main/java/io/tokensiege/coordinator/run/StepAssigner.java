package io.tokensiege.coordinator.run;

import io.tokensiege.common.plan.Plan;
import io.tokensiege.common.plan.Scenario;
import io.tokensiege.common.protocol.AssignStep;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.common.protocol.TraceChunk;
import io.tokensiege.common.trace.TraceRecord;
import io.tokensiege.common.trace.TraceSplit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Hands a step out to the live workers: how many streams each runs, its part of a replayed trace, and the step itself. */
final class StepAssigner {
    /** The workers given a share, and how many streams each runs, both by worker id in assignment order. */
    record Assignment(Map<String, WorkerLink> workers, Map<String, Integer> streams) {}

    private final Plan plan;
    private final String runId;

    StepAssigner(Plan plan, String runId) {
        this.plan = plan;
        this.runId = runId;
    }

    /** Streams per live worker, in the order of {@code live}: a sweep level split by capacity, anything else on the first worker. */
    static int[] shares(StepSpec step, List<WorkerLink> live) {
        if (!KneeSearch.isSweepLevel(step)) {
            int[] one = new int[live.size()];
            one[0] = 1; // a sequence runs on one worker
            return one;
        }
        return ShareSplitter.split(step.concurrency(), live.stream().mapToInt(WorkerLink::capacity).toArray());
    }

    /** Sends every worker with a non-zero share its trace records (when replaying) and then its AssignStep. */
    Assignment send(StepSpec step, List<WorkerLink> live, int[] shares, String sealedKey) {
        Map<String, WorkerLink> assigned = new LinkedHashMap<>();
        Map<String, Integer> streamsOf = new LinkedHashMap<>();
        List<List<TraceRecord>> traceShares = step.replay() == null ? null
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
        return new Assignment(assigned, streamsOf);
    }

    private Scenario scenarioOf(StepSpec step) {
        return plan.scenarios().stream().filter(s -> s.name().equals(step.scenario())).findFirst().orElseThrow();
    }
}
