package io.tokensiege.coordinator.run;

/**
 * A typed failure, collected into {@code failures.jsonl} and shown in the report; never thrown
 * across JVMs. {@code terminal} failures end the run; the rest end a step or mark it partial.
 */
public record Failure(Kind kind, boolean terminal, String stepId, String workerId, String message, long epochMillis) {
    public enum Kind { WORKER_LOST, WORKER_REJECTED, BARRIER_TIMEOUT, STEP_TIMEOUT, TARGET_UNREACHABLE, MISSING_SECRET, WRITE_FAILED, ABORTED,
        /** A scenario cannot fit a target's context window: refused before any load (exit 2, invalid input). */
        PLAN_DOES_NOT_FIT }

    public static Failure of(Kind kind, boolean terminal, String stepId, String workerId, String message) {
        return new Failure(kind, terminal, stepId, workerId, message, System.currentTimeMillis());
    }
}
