package io.tokensiege.coordinator.cli;

/** The process exit codes users script against (docs/design.md §8). */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int INVALID_INPUT = 2;
    public static final int SLO_FAILED = 3;
    public static final int RUN_FAILED = 4;

    private ExitCodes() {}

    /**
     * The exit code a finished run earns: input refused before any load (a plan that cannot fit, a key variable unset or
     * unsendable: 2) before failed or aborted (4) before SLO failed (3) before ok (0).
     */
    public static int of(io.tokensiege.coordinator.run.RunOutcome outcome) {
        if (outcome.failures().stream().anyMatch(f -> f.kind() == io.tokensiege.coordinator.event.Failure.Kind.PLAN_DOES_NOT_FIT
                || f.kind() == io.tokensiege.coordinator.event.Failure.Kind.MISSING_SECRET)) return INVALID_INPUT;
        if (outcome.failed()) return RUN_FAILED;
        if (outcome.verdict() != null && outcome.verdict().sloFailed()) return SLO_FAILED;
        return OK;
    }
}
