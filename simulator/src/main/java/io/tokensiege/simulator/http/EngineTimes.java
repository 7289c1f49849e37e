package io.tokensiege.simulator.http;

/**
 * What the engine did for one request, in simulated time: when it queued, got a slot, and emitted its
 * first and last token. It feeds the request's ground truth, its llama.cpp {@code timings} and the
 * server-wide counters of /metrics. Called on the engine thread, under the stream's lock.
 */
final class EngineTimes {
    private final GroundTruth truth;
    private final ServedCounters served;
    private final int promptTokens;
    private long queuedSimNanos;
    private long admittedSimNanos = -1;
    private long firstTokenSimNanos;
    private long lastTokenSimNanos;
    private int cachedTokens;
    private int generated;
    private boolean left;
    private boolean holdingSlot;
    private long preemptedSimNanos;

    EngineTimes(GroundTruth truth, ServedCounters served, int promptTokens) {
        this.truth = truth;
        this.served = served;
        this.promptTokens = promptTokens;
    }

    void queued(long simNanos) {
        queuedSimNanos = simNanos;
        served.queued();
    }

    void admitted(long simNanos, int cached) {
        admittedSimNanos = simNanos;
        cachedTokens = cached;
        truth.admittedNanos = System.nanoTime();
        truth.cachedTokens = cached;
        truth.queueWaitSimNanos = simNanos - queuedSimNanos;
        holdingSlot = true;
        served.admitted();
    }

    /** Preempted for KV memory: back in the queue until {@link #resumed}. Its first admission's figures stay. */
    void preempted(long simNanos) {
        truth.preempted(generated);
        preemptedSimNanos = simNanos;
        holdingSlot = false;
        served.preempted();
    }

    void resumed(long simNanos) {
        truth.pausedSimNanos += simNanos - preemptedSimNanos;
        holdingSlot = true;
        served.admitted();
    }

    /** One generated token; false once the request has left (its tokens no longer count). */
    boolean token(int index, long simNanos) {
        if (left) return false;
        generated++;
        lastTokenSimNanos = simNanos;
        if (index == 0) {
            firstTokenSimNanos = simNanos;
            Timings prompt = timings();
            truth.promptSimNanos = prompt.promptNanos();
            served.firstToken(prompt, promptTokens, simNanos - queuedSimNanos);
        }
        served.token();
        return true;
    }

    /** The request left the engine (finished, cancelled, or ended by a fault): counted once. */
    void left() {
        if (left) return;
        left = true;
        served.left(holdingSlot, generated > 0 ? timings() : null);
    }

    Timings timings() {
        return Timings.of(cachedTokens, promptTokens, admittedSimNanos, firstTokenSimNanos, generated, lastTokenSimNanos);
    }
}
