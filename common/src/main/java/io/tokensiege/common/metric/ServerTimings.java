package io.tokensiege.common.metric;

/**
 * What the server itself reported about one request's work, in its own clock (llama.cpp's {@code timings}
 * object in the last chunk). Recorded beside the client's figures, never instead of them: the server cannot
 * see its own queueing for a slot, the network or the client.
 *
 * @param promptTokens      tokens the server had to process ({@code prompt_n}: the prompt minus its cached part)
 * @param cachedTokens      prompt tokens served from its cache ({@code cache_n})
 * @param promptMillis      time it spent processing them ({@code prompt_ms}); excludes waiting for a slot
 * @param predictedTokens   tokens it generated ({@code predicted_n})
 * @param predictedMillis   time it spent generating them ({@code predicted_ms})
 * @param predictedTokS     its own decode rate ({@code predicted_per_second})
 */
public record ServerTimings(Integer promptTokens, Integer cachedTokens, Double promptMillis, Integer predictedTokens, Double predictedMillis,
                            Double predictedTokS) {
}
