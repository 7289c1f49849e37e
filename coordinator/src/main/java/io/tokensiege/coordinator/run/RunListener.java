package io.tokensiege.coordinator.run;

import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.protocol.StepSpec;

/** Follows a run as it happens (console progress, web UI). Called on the orchestrator's thread. */
public interface RunListener {
    default void onStepStarted(StepSpec step, int number, int of) {}

    /** Live view of the step: merged over workers for the last interval, in the target's own time. */
    default void onInterval(StepSpec step, LiveStats stats) {}

    default void onStepFinished(StepSpec step, StepResult result) {}

    default void onFailure(Failure failure) {}

    record LiveStats(long elapsedMillis, double ttftP50Ms, double ttftP95Ms, double tokensPerSecond, int completed, int errors, int inFlight) {}
}
