package io.tokensiege.simulator.engine;

/** Receives what the engine produces, at simulated instants (nanoseconds of simulated time). */
public interface EngineListener {

    /** Prefill starts when the request gets a slot; {@code cachedTokens} were served by the prefix cache. */
    default void onAdmitted(long requestId, long simNanos, int cachedTokens) {}

    void onToken(long requestId, int index, Channel channel, long simNanos);

    void onFinished(long requestId, long simNanos);
}
