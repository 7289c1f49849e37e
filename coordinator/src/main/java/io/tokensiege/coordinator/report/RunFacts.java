package io.tokensiege.coordinator.report;

import io.tokensiege.common.analysis.StepResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What report.html says about the run besides its results: whether it is still going, when and with what it ran, and what
 * each server said about itself.
 *
 * @param status       run.json's status: {@code running} until the run ends, then {@code finished}, {@code failed} or {@code aborted}
 * @param workers      one line per worker, e.g. "w1 (8 cores, host a.lan)"
 * @param servers      per target, what it exposed about itself (run.json {@code servers})
 * @param serverNotes  per target, what was learned about it (run.json {@code server_notes})
 * @param stepsPlanned measured steps the plan expands to (refinement may add some)
 */
public record RunFacts(String runId, String status, long startedEpochMillis, String version, List<String> workers, Map<String, Object> servers,
                       Map<String, List<String>> serverNotes, int stepsPlanned) {
    public boolean inProgress() {
        return "running".equals(status);
    }

    /**
     * The workers as the cluster described them at the run's start ({@code provenance.workers}), else (a local run) the ones
     * that took a share of a step.
     */
    static List<String> workers(Object described, List<StepResult> results) {
        List<String> out = new ArrayList<>();
        if (described instanceof List<?> list) {
            for (Object o : list) {
                if (!(o instanceof Map<?, ?> w)) continue;
                out.add(w.get("id") + " (" + w.get("cores") + " cores" + (w.get("host") == null ? "" : ", host " + w.get("host")) + ")");
            }
        }
        if (out.isEmpty()) results.forEach(r -> r.workerShares().keySet().forEach(w -> { if (!out.contains(w)) out.add(w); }));
        return out;
    }
}
