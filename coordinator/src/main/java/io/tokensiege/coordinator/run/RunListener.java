package io.tokensiege.coordinator.run;

import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.protocol.StepSpec;

/** Follows a run as it happens (console progress, web UI). Called on the orchestrator's thread. */
public interface RunListener {
    default void onStepStarted(StepSpec step, int number, int of) {}

    /** Live view of the step: rolling figures merged over workers, in the target's own time (see LiveWindow). */
    default void onInterval(StepSpec step, LiveStats stats) {}

    default void onStepFinished(StepSpec step, StepResult result) {}

    default void onFailure(Failure failure) {}

    /**
     * @param elapsedMillis      since the step's start
     * @param expectedMillis     the step's planned length (ramp + window), 0 when it runs a number of requests
     * @param windowMillis       the rolling window the figures cover (up to 5 s)
     * @param ttftP50Ms          TTFT of the requests whose first token arrived in the window; null when none did
     * @param outputTokS         tokens every stream received per second in the window; null before any second ended
     * @param completed          measured requests that ended in the window
     * @param errors             of those, failed ones
     * @param inFlight           requests in flight now
     * @param awaitingFirstToken of those, waiting for their first token
     * @param queued             open loop: arrivals held client-side at the in-flight cap
     */
    record LiveStats(long elapsedMillis, long expectedMillis, long windowMillis, Double ttftP50Ms, Double ttftP95Ms, Double outputTokS,
                     int completed, int errors, int inFlight, int awaitingFirstToken, int queued) {}
}
