package io.tokensiege.coordinator.run;

import io.tokensiege.common.analysis.Unanswered;
import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.protocol.StepFinished;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.coordinator.event.Failure;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Targets that answered nothing in a whole step: their remaining steps are not run. */
final class SilentTargets {
    private final Set<String> names = new HashSet<>();

    boolean contains(String targetName) {
        return names.contains(targetName);
    }

    /**
     * A step in which the target answered not one request (measured or not), and at least one waited out its own timeout (or
     * none could connect), names the target as the cause, and the target's remaining steps are skipped: each would wait out
     * the same timeouts and measure nothing. Returns that failure, or empty when the target answered.
     */
    Optional<Failure> check(StepSpec step, Collection<StepFinished> shares) {
        List<RequestRecord> sent = shares.stream().flatMap(f -> f.records().stream()).toList();
        return Unanswered.of(sent, step.target().timeScale()).filter(Unanswered::conclusive).map(u -> {
            names.add(step.target().name());
            String what = "target '" + step.target().name() + "' (" + step.target().url() + ") " + u.describe() + " in step " + step.stepId()
                    + "; its remaining steps are skipped";
            if (u.unreachable()) return Failure.of(Failure.Kind.TARGET_UNREACHABLE, false, step.stepId(), null, what
                    + ": is the server running and reachable from the workers?");
            return Failure.of(Failure.Kind.TARGET_SILENT, false, step.stepId(), null, what + ": is it overloaded, stuck, or not an OpenAI-compatible server?");
        });
    }
}
