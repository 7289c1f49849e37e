package io.tokensiege.coordinator.run;

import io.tokensiege.common.analysis.RunVerdict;
import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.coordinator.event.Failure;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What a finished (or aborted) run produced, and where it is on disk.
 *
 * @param serverNotes per target, what was learned about the server (prompt sizing, context, connection habits)
 */
public record RunOutcome(String runId, Path directory, List<StepResult> steps, List<Failure> failures, boolean aborted, RunVerdict verdict,
                         Map<String, List<String>> serverNotes) {
    /** Aborted, ended by a terminal failure, or short of what the plan asked (a lost worker, a timeout, a write that failed): exit 4. */
    public boolean failed() {
        return aborted || failures.stream().anyMatch(f -> f.terminal() || f.kind().failsRun());
    }

    /** What run.json's {@code status} says: {@code aborted}, {@code failed} or {@code finished}. */
    public String status() {
        return aborted ? "aborted" : failed() ? "failed" : "finished";
    }
}
