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
 * @param decodeTokSP50 median of the server's per-request {@code predicted_per_second}
 * @param promptMsP50   median {@code prompt_ms}
 * @param promptMsP95   95th percentile of {@code prompt_ms}
 * @param promptTokens  sum of {@code prompt_n + cache_n}
 * @param cachedTokens  sum of {@code cache_n}
 */
public record ServerView(int requests, Double decodeTokSP50, Double promptMsP50, Double promptMsP95, long promptTokens, long cachedTokens) {
    /** A client decode median this far from the server's own is flagged: one of the two is not measuring what it says. */
    static final double DECODE_GAP = 0.05;

    static Optional<ServerView> of(List<RequestRecord> records) {
        List<ServerTimings> t = records.stream().filter(RequestRecord::ok).map(RequestRecord::serverTimings).filter(java.util.Objects::nonNull).toList();
        if (t.isEmpty()) return Optional.empty();
        double[] decode = t.stream().map(ServerTimings::predictedTokS).filter(java.util.Objects::nonNull).mapToDouble(Double::doubleValue).sorted().toArray();
        double[] prompt = t.stream().map(ServerTimings::promptMillis).filter(java.util.Objects::nonNull).mapToDouble(Double::doubleValue).sorted().toArray();
        long cached = t.stream().mapToLong(x -> x.cachedTokens() == null ? 0 : x.cachedTokens()).sum();
        long processed = t.stream().mapToLong(x -> x.promptTokens() == null ? 0 : x.promptTokens()).sum();
        return Optional.of(new ServerView(t.size(), decode.length == 0 ? null : Fairness.quantile(decode, 0.5),
                prompt.length == 0 ? null : Fairness.quantile(prompt, 0.5), prompt.length == 0 ? null : Fairness.quantile(prompt, 0.95),
                processed + cached, cached));
    }

    /** Flags the gap between the client's decode median and the server's, and any TTFT shorter than the server's own prompt time. */
    static void flag(String stepId, ServerView view, Percentiles clientDecode, List<RequestRecord> records, double timeScale, List<Flag> flags) {
        if (view.decodeTokSP50 != null && view.decodeTokSP50 > 0 && clientDecode.count() > 0) {
            double gap = clientDecode.p50() / view.decodeTokSP50 - 1;
            if (Math.abs(gap) > DECODE_GAP) {
                flags.add(new Flag(Flag.SERVER_DECODE_GAP, stepId, String.format(Locale.ROOT,
                        "client decode p50 %.1f tok/s differs from the server's own %.1f tok/s by %+.0f%%: the stream is buffered or batched "
                                + "on the way, or one side counts tokens differently", clientDecode.p50(), view.decodeTokSP50, 100 * gap)));
            }
        }
        long faster = records.stream().filter(r -> r.ok() && r.times().ttftMicros() != null && r.serverTimings() != null && r.serverTimings().promptMillis() != null
                && r.times().ttftMicros() * timeScale / 1000.0 < r.serverTimings().promptMillis()).count();
        if (faster > 0) {
            flags.add(new Flag(Flag.TTFT_BELOW_SERVER_PROMPT, stepId, faster
                    + " requests have a TTFT shorter than the server's own prompt time: impossible (the first token follows the prompt); a measurement or clock bug"));
        }
    }
}
