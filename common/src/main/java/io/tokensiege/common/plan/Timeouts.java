package io.tokensiege.common.plan;

/**
 * Per-request timeouts, each classified separately when it fires (docs/design.md §3 error classes).
 *
 * @param connectMillis    TCP connect
 * @param firstTokenMillis from send to the first generated token (a 10K cold prefill can take 30 s)
 * @param idleMillis       longest gap between events once streaming
 * @param totalMillis      the whole request
 */
public record Timeouts(long connectMillis, long firstTokenMillis, long idleMillis, long totalMillis) {
    public static final Timeouts DEFAULT = new Timeouts(10_000, 180_000, 60_000, 900_000);

    /** The same timeouts expressed in a simulated target's compressed time. */
    public Timeouts scaledBy(double timeScale) {
        if (timeScale == 1.0) return this;
        return new Timeouts(connectMillis, Math.max(1, (long) (firstTokenMillis / timeScale)),
                Math.max(1, (long) (idleMillis / timeScale)), Math.max(1, (long) (totalMillis / timeScale)));
    }
}
