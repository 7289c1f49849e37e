package io.tokensiege.common.analysis;

import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.metric.ServerTimings;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The server's own account of a step's requests (llama.cpp's {@code timings}), set beside the client's: its
 * decode rate, the time it spent on prompts (which excludes waiting for a slot) and the prompt tokens it
 * served from cache. Its figures are in its own clock, as the target's time is.
 *
 * @param requests      measured successful requests that carried timings
 * @param decodeTokSP50 median of the server's per-request {@code predicted_per_second}, over requests of two tokens or more
 * @param decodeGapPctP50 median over requests of each one's client decode rate against the server's own for the same request,
 *                      in %: see {@link #decodeGapPct}
 * @param promptMsP50   median {@code prompt_ms}
 * @param promptMsP95   95th percentile of {@code prompt_ms}
 * @param promptTokens  sum of {@code prompt_n + cache_n}
 * @param cachedTokens  sum of {@code cache_n}
 */
public record ServerView(int requests, Double decodeTokSP50, Double decodeGapPctP50, Double promptMsP50, Double promptMsP95, long promptTokens,
                         long cachedTokens) {
    /** A client decode this far from the server's own (the median per request, in %) is flagged: one of the two is not measuring what it says. */
    static final double DECODE_GAP_PCT = 5;

    /** @param timeScale factor from measured wall time to the target's own (the simulator's speed, else 1): the server's figures are in its time */
    static Optional<ServerView> of(List<RequestRecord> records, double timeScale) {
        List<ServerTimings> t = records.stream().filter(RequestRecord::ok).map(RequestRecord::serverTimings).filter(java.util.Objects::nonNull).toList();
        if (t.isEmpty()) return Optional.empty();
        // One generated token has no decode rate (llama.cpp then reports 1,000,000 tok/s for its end-of-sequence token alone).
        double[] decode = t.stream().filter(x -> x.predictedTokens() == null || x.predictedTokens() >= 2).map(ServerTimings::predictedTokS)
                .filter(java.util.Objects::nonNull).mapToDouble(Double::doubleValue).sorted().toArray();
        double[] prompt = t.stream().map(ServerTimings::promptMillis).filter(java.util.Objects::nonNull).mapToDouble(Double::doubleValue).sorted().toArray();
        long cached = t.stream().mapToLong(x -> x.cachedTokens() == null ? 0 : x.cachedTokens()).sum();
        long processed = t.stream().mapToLong(x -> x.promptTokens() == null ? 0 : x.promptTokens()).sum();
        double[] gaps = records.stream().filter(RequestRecord::ok).map(r -> decodeGapPct(r, timeScale)).filter(java.util.Objects::nonNull)
                .mapToDouble(Double::doubleValue).sorted().toArray();
        return Optional.of(new ServerView(t.size(), median(decode), median(gaps), median(prompt), prompt.length == 0 ? null : Fairness.quantile(prompt, 0.95),
                processed + cached, cached));
    }

    private static Double median(double[] sorted) {
        return sorted.length == 0 ? null : Fairness.quantile(sorted, 0.5);
    }

    /**
     * One request's client decode rate against the server's own for the same request, in %; null without both. The server's is
     * put in our definition first: llama.cpp's {@code predicted_ms} runs from its first token to its last, as ours does, but its
     * {@code predicted_per_second} divides all {@code predicted_n} tokens by it where ours divides the n − 1 that follow the first
     * (1.6 % apart at 64 tokens).
     *
     * <p>Requests are compared one by one, never the two medians. Where a step's requests decode at two speeds (llama.cpp on
     * this project's 2-core test host, at one stream: some near 330 tok/s, the rest near 470), a single request whose first
     * token reached the client a few ms late changes sides in the client's ranking alone, and the two medians then differed
     * by 7 % while nearly every pair agreed to within 1 %.
     */
    static Double decodeGapPct(RequestRecord r, double timeScale) {
        ServerTimings t = r.serverTimings();
        Double client = r.times().decodeRateTokS();
        if (t == null || client == null || t.predictedTokens() == null || t.predictedTokens() < 2 || t.predictedMillis() == null || t.predictedMillis() <= 0) {
            return null;
        }
        double server = (t.predictedTokens() - 1) * 1000.0 / t.predictedMillis();
        return 100 * (client / timeScale / server - 1);
    }

    /** Flags the gap between the client's decode rates and the server's, and any TTFT shorter than the server's own prompt time. */
    static void flag(String stepId, ServerView view, Percentiles clientDecode, List<RequestRecord> records, double timeScale, List<Flag> flags) {
        if (view.decodeGapPctP50 != null && Math.abs(view.decodeGapPctP50) > DECODE_GAP_PCT) {
            flags.add(new Flag(Flag.SERVER_DECODE_GAP, stepId, String.format(Locale.ROOT,
                    "client decode differs from the server's own by %+.1f%% (the median over requests, each against its own timings; "
                            + "client p50 %.1f tok/s): the stream is buffered or batched on the way, or one side counts tokens differently",
                    view.decodeGapPctP50, clientDecode.p50())));
        }
        long faster = records.stream().filter(r -> r.ok() && r.times().ttftMicros() != null && r.serverTimings() != null && r.serverTimings().promptMillis() != null
                && r.times().ttftMicros() * timeScale / 1000.0 < r.serverTimings().promptMillis()).count();
        if (faster > 0) {
            flags.add(new Flag(Flag.TTFT_BELOW_SERVER_PROMPT, stepId, faster
                    + " requests have a TTFT shorter than the server's own prompt time: impossible (the first token follows the prompt); a measurement or clock bug"));
        }
    }
}
