package io.tokensiege.simulator.http;

import java.util.Locale;

/**
 * llama.cpp's per-request {@code timings}, in simulated time: the prompt's uncached tokens and the
 * time from getting a slot to the first token (queue wait excluded, other slots' work in the same
 * forward passes included, as in llama.cpp), and the generated tokens with the time from the first
 * to the last. llama.cpp floors a zero generation time to 1 µs (one token), and so does this.
 */
record Timings(int cacheN, int promptN, long promptNanos, int predictedN, long predictedNanos) {
    private static final long MIN_PREDICTED_NANOS = 1_000;

    static Timings of(int cachedTokens, int promptTokens, long admittedSimNanos, long firstTokenSimNanos, int generated, long lastTokenSimNanos) {
        long predicted = generated == 0 ? 0 : Math.max(MIN_PREDICTED_NANOS, lastTokenSimNanos - firstTokenSimNanos);
        return new Timings(cachedTokens, promptTokens - cachedTokens, firstTokenSimNanos - admittedSimNanos, generated, predicted);
    }

    double promptMs() {
        return promptNanos / 1e6;
    }

    double predictedMs() {
        return predictedNanos / 1e6;
    }

    String toJson() {
        double promptMs = promptMs();
        double predictedMs = predictedMs();
        return String.format(Locale.ROOT, "{\"cache_n\":%d,\"prompt_n\":%d,\"prompt_ms\":%s,\"prompt_per_token_ms\":%s,\"prompt_per_second\":%s,"
                        + "\"predicted_n\":%d,\"predicted_ms\":%s,\"predicted_per_token_ms\":%s,\"predicted_per_second\":%s}",
                cacheN, promptN, num(promptMs), num(promptMs / promptN), num(promptN == 0 ? 0 : 1000.0 * promptN / promptMs),
                predictedN, num(predictedMs), num(predictedN == 0 ? 0 : predictedMs / predictedN),
                num(predictedMs == 0 ? 0 : 1000.0 * predictedN / predictedMs));
    }

    private static String num(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "0";
    }
}
