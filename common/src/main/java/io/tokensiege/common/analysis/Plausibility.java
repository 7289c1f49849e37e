package io.tokensiege.common.analysis;

import io.tokensiege.common.metric.RequestRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * The checks of docs/design.md §3 that catch numbers which cannot be real — the 574 tok/s on a 26B model of
 * docs/context.md lesson 1 — and caveats a reader must see beside a number.
 */
public final class Plausibility {
    private Plausibility() {}

    public static List<Flag> check(String stepId, List<RequestRecord> records, double timeScale, double maxDecodeTokS,
                                   int cancelledAtEnd, long clampedValues) {
        List<Flag> flags = new ArrayList<>();
        int absurdUsage = 0, mismatch = 0, implausible = 0, bursts = 0, ttftOverE2e = 0, multiToken = 0, buffered = 0, reasoningOnly = 0, empty = 0,
                noUsage = 0, ok = 0;
        double worstDecode = 0, worstBurst = 0, burstServerRate = 0;
        for (RequestRecord r : records) {
            if ("empty".equals(r.outcome().error())) empty++;
            if (!r.ok()) continue;
            ok++;
            if (r.tokens().usageCompletionTokens() != null && r.tokens().tokenSource() == io.tokensiege.common.metric.TokenSource.COUNTED) absurdUsage++;
            else if (r.tokens().usageCompletionTokens() == null) noUsage++;
            else if (usageMismatch(r.tokens().usageCompletionTokens(), r.tokens().tokenEvents())) mismatch++;
            if (r.times().decodeRateTokS() != null) {
                double rate = r.times().decodeRateTokS() / timeScale;
                Double own = r.serverTimings() == null ? null : ServerView.serverDecodeTokS(r.serverTimings()); // our (n - 1) definition
                if (rate > maxDecodeTokS && own != null && rate > 2 * own) { // the server says it was slower: the tokens came in bursts
                    bursts++;
                    if (rate > worstBurst) {
                        worstBurst = rate;
                        burstServerRate = own;
                    }
                } else if (rate > maxDecodeTokS && (own == null || own < 0.8 * rate)) { // unless the server's own timings confirm the speed
                    implausible++;
                    worstDecode = Math.max(worstDecode, rate);
                }
            }
            if (r.times().ttftMicros() != null && r.times().e2eMicros() != null && r.times().ttftMicros() > r.times().e2eMicros()) ttftOverE2e++;
            if (r.tokens().tokenEvents() >= 2) { // several events in one read; one event of several tokens is the server's way
                multiToken++;
                if (r.times().decodeRateTokS() == null) buffered++;
            }
            if (r.tokens().reasoningEvents() > 0 && r.tokens().contentEvents() == 0 && r.tokens().toolCallEvents() == 0) reasoningOnly++;
        }
        if (mismatch > 0) flags.add(new Flag(Flag.USAGE_MISMATCH, stepId, mismatch + " of " + ok
                + " requests: usage.completion_tokens differs from token-carrying events by more than 10% and more than one token (several tokens per event, "
                + "or a channel the parser does not read)"));
        if (absurdUsage > 0) flags.add(new Flag(Flag.USAGE_ABSURD, stepId, absurdUsage + " of " + ok
                + " requests reported a completion_tokens that cannot be true (above their max_tokens, or no count: negative, fractional or"
                + " beyond 2^31, kept as 2147483647): usage ignored, tokens counted from the stream's events"));
        if (noUsage > 0) flags.add(new Flag(Flag.NO_USAGE, stepId, noUsage + " of " + ok
                + " requests had no usage block: output_tokens are counted events (labelled 'counted')"));
        if (implausible > 0) flags.add(new Flag(Flag.DECODE_IMPLAUSIBLE, stepId, String.format(
                "%d requests decode faster than the plausibility ceiling of %.0f tok/s (worst %.0f tok/s): check that every generated channel is streamed and counted",
                implausible, maxDecodeTokS, worstDecode)));
        if (bursts > 0) flags.add(new Flag(Flag.DECODE_IMPLAUSIBLE, stepId, String.format(
                "%d requests read faster than the plausibility ceiling of %.0f tok/s (worst %.0f tok/s, which the server decoded at %.0f tok/s by its own"
                        + " timings): their tokens arrived in bursts (a proxy or the network held them back), so their client decode rate overstates"
                        + " the server's", bursts, maxDecodeTokS, worstBurst, burstServerRate)));
        if (ttftOverE2e > 0) flags.add(new Flag(Flag.TTFT_GT_E2E, stepId, ttftOverE2e + " requests have TTFT > end-to-end latency: impossible, a measurement bug"));
        if (buffered > 0 && buffered * 20 > multiToken) flags.add(new Flag(Flag.BUFFERED, stepId, buffered + " of " + multiToken
                + " answers of two token events or more arrived all at once: no decode time could be measured, and their TTFT holds the whole"
                + " generation (a buffering proxy, or a server that does not stream)"));
        if (reasoningOnly > 0) flags.add(new Flag(Flag.REASONING_ONLY, stepId, reasoningOnly + " of " + ok
                + " requests produced output only in the reasoning channel (no answer): raise max_tokens or disable thinking"));
        if (empty > 0) flags.add(new Flag(Flag.EMPTY, stepId, empty + " requests ended without any generated token"));
        if (cancelledAtEnd > 0) flags.add(new Flag(Flag.CANCELLED_AT_END, stepId, cancelledAtEnd
                + " requests were still in flight when the step's drain time ran out and were cancelled: latency percentiles cover completed requests only (a lower bound)"));
        if (clampedValues > 0) flags.add(new Flag(Flag.CLAMPED, stepId, clampedValues + " values exceeded the histogram range (1 h) and were clamped"));
        return flags;
    }

    /**
     * More than 10 % apart, and more than the one token a server may count without streaming it: llama.cpp's usage includes the
     * end-of-sequence token it decoded, so a 6-token answer that stopped by itself reports 7. A successful answer with nothing
     * streamed and a usage (a max_tokens cut of its one token) had its tokens go by a channel the parser does not read.
     */
    static boolean usageMismatch(int usage, int events) {
        if (events == 0) return usage > 0;
        int apart = Math.abs(usage - events);
        return apart > 1 && apart > 0.10 * usage;
    }
}
