package io.tokensiege.coordinator.cli;

/** The process exit codes users script against (DESIGN.md §8). */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int INVALID_INPUT = 2;
    public static final int SLO_FAILED = 3;
    public static final int RUN_FAILED = 4;

    private ExitCodes() {}
}
