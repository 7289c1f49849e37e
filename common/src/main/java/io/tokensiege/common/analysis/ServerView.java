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
 * @param decodeTokSP50 median of the server's per-request decode rate in our definition ({@link #serverDecodeTokS}), over
 *                      requests of two tokens or more
 * @param decodeGapPctP50 median over requests of each one's client decode rate against the server's own for the same request,
 *                      in %: see {@link #decodeGapPct}
 * @param promptMsP50   median {@code prompt_ms}
 * @param promptMsP95   95th percentile of {@code prompt_ms}
 * @param promptTokens  sum of {@code prompt_n + cache_n}
 * @param cachedTokens  sum of {@code cache_n}
 * @param slots         the parallel slots the server reported before the run (llama.cpp {@code /props total_slots}), or null
 */
public record ServerView(int requests, Double decodeTokSP50, Double decodeGapPctP50, Double promptMsP50, Double promptMsP95, long promptTokens,
                         long cachedTokens, Integer slots) {
    /** A client decode this far from the server's own (the median per request, in %) is flagged: one of the two is not measuring what it says. */
    static final double DECODE_GAP_PCT = 5;

    /** @param timeScale factor from measured wall time to the target's own (the simulator's speed, else 1): the server's figures are in its time */
    static Optional<ServerView> of(List<RequestRecord> records, double timeScale, Integer slots) {
        List<ServerTimings> t = records.stream().filter(RequestRecord::ok).map(RequestRecord::serverTimings).filter(java.util.Objects::nonNull).toList();
        if (t.isEmpty()) return Optional.empty();
        // One generated token has no decode rate (llama.cpp then reports 1,000,000 tok/s for its end-of-sequence token alone).
        double[] decode = t.stream().map(ServerView::serverDecodeTokS).filter(java.util.Objects::nonNull).mapToDouble(Double::doubleValue).sorted().toArray();
        double[] prompt = t.stream().map(ServerTimings::promptMillis).filter(java.util.Objects::nonNull).mapToDouble(Double::doubleValue).sorted().toArray();
        long cached = t.stream().mapToLong(x -> x.cachedTokens() == null ? 0 : x.cachedTokens()).sum();
        long processed = t.stream().mapToLong(x -> x.promptTokens() == null ? 0 : x.promptTokens()).sum();
        double[] gaps = records.stream().filter(RequestRecord::ok).map(r -> decodeGapPct(r, timeScale)).filter(java.util.Objects::nonNull)
                .mapToDouble(Double::doubleValue).sorted().toArray();
        return Optional.of(new ServerView(t.size(), median(decode), median(gaps), median(prompt), prompt.length == 0 ? null : Fairness.quantile(prompt, 0.95),
                processed + cached, cached, slots));
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
        if (t == null || client == null || t.predictedTokens() == null || t.predictedMillis() == null) return null; // nothing to put in our definition
        Double server = serverDecodeTokS(t);
        return server == null ? null : 100 * (client / timeScale / server - 1);
    }

    /**
     * The server's decode rate for one request in our definition, {@code (predicted_n − 1) / predicted_ms}, so that it reads
     * beside the client's decode p50 (as reported, 20-token answers at 100 tok/s read 105.3). Null for one token: llama.cpp then
     * reports 1,000,000 tok/s for its end token alone. A server that gives only a rate is taken as it reports it.
     */
    static Double serverDecodeTokS(ServerTimings t) {
        if (t.predictedTokens() == null || t.predictedMillis() == null) return t.predictedTokS();
        return t.predictedTokens() >= 2 && t.predictedMillis() > 0 ? (t.predictedTokens() - 1) * 1000.0 / t.predictedMillis() : null;
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
