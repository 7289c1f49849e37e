package io.tokensiege.coordinator.event;

/**
 * A typed failure, collected into {@code failures.jsonl} and shown in the report; never thrown
 * across JVMs. {@code terminal} failures end the run; the rest end a step or mark it partial.
 */
public record Failure(Kind kind, boolean terminal, String stepId, String workerId, String message, long epochMillis) {
    /**
     * What went wrong. Kinds that {@link #failsRun() fail the run} mean tokensiege did not measure what the plan asked (exit 4
     * even if every step it has meets the SLO); the target's own failures are judged by the verdict instead (exit 3).
     */
    public enum Kind {
        WORKER_LOST(true), WORKER_REJECTED(true),
        /** The worker's JVM hit an error (out of memory): its share of the step may be incomplete. */
        WORKER_ERROR(true),
        BARRIER_TIMEOUT(true), STEP_TIMEOUT(true),
        /** Every request of a step failed to connect. */
        TARGET_UNREACHABLE(false),
        /** The target accepted connections and answered none of a step's requests. */
        TARGET_SILENT(false),
        /** The target refused every request of a step as unauthorised or forbidden (401, 403): a wrong key, or one in the wrong header. */
        TARGET_REFUSED(false),
        MISSING_SECRET(true),
        /** A result file could not be written (a full disk): what was measured is kept in memory and reported. */
        WRITE_FAILED(true),
        ABORTED(true),
        /** tokensiege itself failed (a bug): the run ends there, with everything recorded until then kept. */
        INTERNAL_ERROR(true),
        /** A scenario cannot fit a target's context window: refused before any load (exit 2, invalid input). */
        PLAN_DOES_NOT_FIT(false);

        private final boolean failsRun;

        Kind(boolean failsRun) {
            this.failsRun = failsRun;
        }

        public boolean failsRun() {
            return failsRun;
        }
    }

    public static Failure of(Kind kind, boolean terminal, String stepId, String workerId, String message) {
        return new Failure(kind, terminal, stepId, workerId, message, System.currentTimeMillis());
    }
}
