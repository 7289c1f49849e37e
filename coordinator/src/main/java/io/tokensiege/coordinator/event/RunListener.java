package io.tokensiege.coordinator.event;

import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.protocol.StepSpec;

/** Follows a run as it happens (console progress, web UI). Called on the orchestrator's thread. */
public interface RunListener {
    default void onStepStarted(StepSpec step, int number, int of) {}

    /** Every worker is ready and the step starts at {@code startEpochMillis} (the coordinator's clock), a moment from now. */
    default void onStepStartInstant(StepSpec step, long startEpochMillis) {}

    /** Live view of the step: rolling figures merged over workers, in the target's own time (see LiveWindow). */
    default void onInterval(StepSpec step, LiveStats stats) {}

    default void onStepFinished(StepSpec step, StepResult result) {}

    default void onFailure(Failure failure) {}

    /** One worker's raw one-second snapshot, before it is merged (counters that must never go back, e.g. Prometheus). */
    default void onSnapshot(StepSpec step, io.tokensiege.common.protocol.IntervalSnapshot snapshot) {}

    /** How loaded each worker of a finished step was (its own event loops, CPU and GC), by worker id. */
    default void onWorkerHealth(StepSpec step, java.util.Map<String, io.tokensiege.common.protocol.StepTotals.WorkerHealth> health) {}

    /** Every listener in {@code all}, in order. */
    static RunListener all(RunListener... all) {
        return new RunListener() {
            @Override
            public void onStepStarted(StepSpec step, int number, int of) {
                for (RunListener l : all) l.onStepStarted(step, number, of);
            }

            @Override
            public void onStepStartInstant(StepSpec step, long startEpochMillis) {
                for (RunListener l : all) l.onStepStartInstant(step, startEpochMillis);
            }

            @Override
            public void onInterval(StepSpec step, LiveStats stats) {
                for (RunListener l : all) l.onInterval(step, stats);
            }

            @Override
            public void onStepFinished(StepSpec step, StepResult result) {
                for (RunListener l : all) l.onStepFinished(step, result);
            }

            @Override
            public void onFailure(Failure failure) {
                for (RunListener l : all) l.onFailure(failure);
            }

            @Override
            public void onSnapshot(StepSpec step, io.tokensiege.common.protocol.IntervalSnapshot snapshot) {
                for (RunListener l : all) l.onSnapshot(step, snapshot);
            }

            @Override
            public void onWorkerHealth(StepSpec step, java.util.Map<String, io.tokensiege.common.protocol.StepTotals.WorkerHealth> health) {
                for (RunListener l : all) l.onWorkerHealth(step, health);
            }
        };
    }

    /**
     * @param elapsedMillis      since the step's start
     * @param expectedMillis     the step's planned length (ramp + window), 0 when it runs a number of requests
     * @param windowMillis       the rolling window the figures cover (up to 5 s)
     * @param ttftP50Ms          TTFT of the requests whose first token arrived in the window; null when none did (also p95, p99)
     * @param outputTokS         tokens every stream received per second in the window; null before any second ended
     * @param itlP50Ms           gaps between tokens of the measured requests that ended in the window; null when none did (also p95, p99)
     * @param completed          measured requests that ended in the window
     * @param errors             of those, failed ones
     * @param inFlight           requests in flight now
     * @param awaitingFirstToken of those, waiting for their first token
     * @param queued             open loop: arrivals held client-side at the in-flight cap
     */
    record LiveStats(long elapsedMillis, long expectedMillis, long windowMillis, Double ttftP50Ms, Double ttftP95Ms, Double ttftP99Ms,
                     Double outputTokS, Double itlP50Ms, Double itlP95Ms, Double itlP99Ms,
                     int completed, int errors, int inFlight, int awaitingFirstToken, int queued) {}
}
