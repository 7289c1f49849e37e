package io.tokensiege.simulator.engine;

/** Receives what the engine produces, at simulated instants (nanoseconds of simulated time). */
public interface EngineListener {

    /** The request joined the engine's queue; it waits there until {@link #onAdmitted}. */
    default void onQueued(long requestId, long simNanos) {}

    /** Prefill starts when the request gets a slot; {@code cachedTokens} were served by the prefix cache. */
    default void onAdmitted(long requestId, long simNanos, int cachedTokens) {}

    void onToken(long requestId, int index, Channel channel, long simNanos);

    void onFinished(long requestId, long simNanos);

    /**
     * Engine-wide: one iteration that did work (a forward pass, llama.cpp's llama_decode call) ended at
     * {@code simNanos}. Called before that iteration's tokens, so a count kept from it is never behind them.
     */
    default void onIterationCompleted(long simNanos) {}
}
