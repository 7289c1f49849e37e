package io.tokensiege.common.plan;

/**
 * Plan-wide settings every scenario inherits.
 *
 * @param temperature             sent with every request (0 = as deterministic as the server allows)
 * @param warmup                  unmeasured requests per target before its first step (docs/context.md used 2)
 * @param maxTokens               requested output length when a scenario does not say
 * @param rampMillis              start of a closed-loop step excluded from statistics while streams open
 * @param timeouts                per-request timeouts
 * @param maxPlausibleDecodeTokS  per-request decode rates above this are flagged as physically implausible
 * @param repeat                  how many times every step runs
 * @param limits                  bounds on what a worker reads from a server per request
 */
public record Defaults(double temperature, int warmup, int maxTokens, long rampMillis, Timeouts timeouts,
                       double maxPlausibleDecodeTokS, int repeat, Limits limits) {
    public static final Defaults DEFAULT = new Defaults(0.0, 2, 200, 2_000, Timeouts.DEFAULT, 400, 1, Limits.DEFAULT);
}
