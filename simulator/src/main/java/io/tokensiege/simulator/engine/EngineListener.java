package io.tokensiege.simulator.engine;

/** Receives what the engine produces, at simulated instants (nanoseconds of simulated time). */
public interface EngineListener {

    /** The request joined the engine's queue; it waits there until {@link #onAdmitted}. */
    default void onQueued(long requestId, long simNanos) {}

    /** Prefill starts when the request gets a slot; {@code cachedTokens} were served by the prefix cache. */
    default void onAdmitted(long requestId, long simNanos, int cachedTokens) {}

    /**
     * The running request was preempted for KV memory: it is back at the head of the queue, holds nothing, and
     * emits no token until {@link #onResumed}.
     */
    default void onPreempted(long requestId, long simNanos) {}

    /** A preempted request got a slot again; it recomputes its prompt and the tokens it had generated, then goes on. */
    default void onResumed(long requestId, long simNanos) {}

    void onToken(long requestId, int index, Channel channel, long simNanos);

    void onFinished(long requestId, long simNanos);

    /**
     * Engine-wide: one iteration that did work (a forward pass, llama.cpp's llama_decode call) ended at
     * {@code simNanos}. Called before that iteration's tokens, so a count kept from it is never behind them.
     */
    default void onIterationCompleted(long simNanos) {}
}
