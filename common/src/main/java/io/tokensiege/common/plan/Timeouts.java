package io.tokensiege.common.plan;

/**
 * Per-request timeouts, each classified separately when it fires (docs/design.md §3 error classes).
 *
 * @param connectMillis    TCP connect
 * @param firstTokenMillis from send to the first generated token (a 10K cold prefill can take 30 s)
 * @param idleMillis       longest gap between events once streaming
 * @param totalMillis      the whole request
 * @param timeScale        what these were divided by for a simulated target running faster than real time (1 otherwise),
 *                         so that a timeout is reported in the target's own time, as the plan gave it
 */
public record Timeouts(long connectMillis, long firstTokenMillis, long idleMillis, long totalMillis, double timeScale) {
    public static final Timeouts DEFAULT = new Timeouts(10_000, 180_000, 60_000, 900_000);

    public Timeouts {
        if (timeScale <= 0) timeScale = 1.0; // absent from an older message
    }

    public Timeouts(long connectMillis, long firstTokenMillis, long idleMillis, long totalMillis) {
        this(connectMillis, firstTokenMillis, idleMillis, totalMillis, 1.0);
    }

    /** The same timeouts expressed in a simulated target's compressed time. */
    public Timeouts scaledBy(double timeScale) {
        if (timeScale == 1.0) return this;
        return new Timeouts(connectMillis, Math.max(1, (long) (firstTokenMillis / timeScale)),
                Math.max(1, (long) (idleMillis / timeScale)), Math.max(1, (long) (totalMillis / timeScale)), this.timeScale * timeScale);
    }

    /** A timeout of these, in the target's own time: "180000 ms" for a first-token timeout of 180 s run at 20x. */
    public String inTargetTime(long millis) {
        return Math.round(millis * timeScale) + " ms";
    }
}
