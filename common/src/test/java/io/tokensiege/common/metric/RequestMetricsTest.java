package io.tokensiege.common.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The metric definitions of docs/design.md §3, on hand-made stamps with known answers. */
class RequestMetricsTest {
    private static final long MS = 1_000_000L;

    private static RequestStamps stream(int events, long firstMs, long stepMs) {
        RequestStamps s = new RequestStamps();
        s.sendNanos = 1_000 * MS;
        s.headersNanos = s.sendNanos + 5 * MS;
        for (int i = 0; i < events; i++) s.tokenEvent(s.sendNanos + (firstMs + i * stepMs) * MS, true, false, false);
        s.endNanos = s.lastNanos + MS;
        s.sawDone = true;
        s.finishReason = "stop";
        return s;
    }

    @Test
    void worksTheDocumentedExample() {
        RequestStamps s = stream(200, 170, 19_600 / 1000);
        s.usageCompletionTokens = 200;
        RequestRecord r = RequestMetrics.compute(s, "st", "w", 0, 0, 0, false, true);
        assertThat(r.times().ttftMicros()).isEqualTo(170_000);
        assertThat(r.times().ttfbMicros()).isEqualTo(5_000);
        assertThat(r.times().decodeRateTokS()).isCloseTo(199 / (199 * 0.019), within(1e-9));
        assertThat(r.times().tpotMicros()).isEqualTo(19_000);
        assertThat(r.tokens().tokenSource()).isEqualTo(TokenSource.USAGE);
        assertThat(r.ok()).isTrue();
    }

    @Test
    void anEndTokenCountedButNotStreamed_endsTheDecodeAtTheFinishReason() {
        // llama.cpp, an answer that stopped by itself: 19 tokens streamed 10 ms apart, the end-of-sequence token decoded 10 ms
        // after the last and counted in the usage (20), its finish_reason sent then.
        RequestStamps s = stream(19, 100, 10);
        s.usageCompletionTokens = 20;
        s.finishNanos = s.lastNanos + 10 * MS;
        RequestRecord r = RequestMetrics.compute(s, "st", "w", 0, 0, 0, false, true);
        assertThat(r.times().decodeRateTokS()).isCloseTo(19 / 0.190, within(1e-9)); // 19 / 0.180 if it ended at the last streamed token
        assertThat(r.times().tpotMicros()).isEqualTo(10_000);

        // Every counted token streamed (an answer cut by max_tokens): a later finish_reason says nothing about decoding.
        RequestStamps length = stream(20, 100, 10);
        length.usageCompletionTokens = 20;
        length.finishNanos = length.lastNanos + 50 * MS;
        assertThat(RequestMetrics.compute(length, "st", "w", 0, 0, 0, false, true).times().decodeRateTokS()).isCloseTo(19 / 0.190, within(1e-9));

        // Counted events (no usage, or a usage above max_tokens, not believed): the count ends at the last streamed token, and so
        // does the decode.
        RequestStamps counted = stream(20, 100, 10);
        counted.finishNanos = counted.lastNanos + 10 * MS;
        assertThat(RequestMetrics.compute(counted, "st", "w", 0, 0, 0, false, true).times().decodeRateTokS()).isCloseTo(19 / 0.190, within(1e-9));
        RequestStamps absurd = stream(20, 100, 10);
        absurd.maxTokens = 20;
        absurd.usageCompletionTokens = 40;
        absurd.finishNanos = absurd.lastNanos + 10 * MS;
        RequestRecord a = RequestMetrics.compute(absurd, "st", "w", 0, 0, 0, false, true);
        assertThat(a.tokens().tokenSource()).isEqualTo(TokenSource.COUNTED);
        assertThat(a.times().decodeRateTokS()).isCloseTo(19 / 0.190, within(1e-9));

        // A number that was no count (3e9, -5, 7.5), even where no max_tokens bounds it: never believed, kept for the flag.
        RequestStamps noCount = stream(20, 100, 10);
        noCount.maxTokens = 0;
        noCount.usageCompletionTokens = RequestStamps.NOT_A_COUNT;
        RequestRecord n = RequestMetrics.compute(noCount, "st", "w", 0, 0, 0, false, true);
        assertThat(n.ok()).isTrue();
        assertThat(n.tokens().tokenSource()).isEqualTo(TokenSource.COUNTED);
        assertThat(n.tokens().outputTokens()).isEqualTo(20);
        assertThat(n.tokens().usageCompletionTokens()).isEqualTo(RequestStamps.NOT_A_COUNT);
        assertThat(io.tokensiege.common.analysis.Plausibility.check("st", java.util.List.of(n), 1, 400, 0, 0))
                .anySatisfy(f -> assertThat(f.code()).isEqualTo("usage_absurd"))
                .noneSatisfy(f -> assertThat(f.code()).isEqualTo("no_usage"));
    }

    @Test
    void reasoningFirst_ttftAtFirstReasoningToken_ttfaAtFirstAnswer() {
        RequestStamps s = new RequestStamps();
        s.sendNanos = 0;
        s.tokenEvent(100 * MS, false, true, false);
        s.tokenEvent(120 * MS, false, true, false);
        s.tokenEvent(140 * MS, true, false, false);
        s.endNanos = 150 * MS;
        s.sawDone = true;
        RequestRecord r = RequestMetrics.compute(s, "st", "w", 0, 0, 0, false, true);
        assertThat(r.times().ttftMicros()).isEqualTo(100_000);
        assertThat(r.times().ttfaMicros()).isEqualTo(140_000);
        assertThat(r.tokens().reasoningTokens()).isEqualTo(2);
        assertThat(r.tokens().outputTokens()).isEqualTo(3);
        assertThat(r.tokens().tokenSource()).isEqualTo(TokenSource.COUNTED);
        assertThat(r.times().decodeRateTokS()).isCloseTo(2 / 0.040, within(1e-9));
    }

    @Test
    void endings_truncatedEmptyAndCancelled() {
        RequestStamps cut = stream(3, 10, 10);
        cut.sawDone = false;
        cut.finishReason = null;
        assertThat(RequestMetrics.compute(cut, "st", "w", 0, 0, 0, false, true).outcome().error()).isEqualTo("truncated");
        RequestStamps none = stream(0, 10, 10);
        assertThat(RequestMetrics.compute(none, "st", "w", 0, 0, 0, false, true).outcome().error()).isEqualTo("empty");
        // llama.cpp, a model that ends its answer at once: the end-of-sequence token counted (usage 1), nothing streamed.
        RequestStamps endTokenOnly = stream(0, 10, 10);
        endTokenOnly.usageCompletionTokens = 1;
        assertThat(RequestMetrics.compute(endTokenOnly, "st", "w", 0, 0, 0, false, true).outcome().error()).isEqualTo("empty");
        // One counted, none streamed, cut by max_tokens: that token was real and went by a channel the parser does not read.
        RequestStamps oneTokenLimit = stream(0, 10, 10);
        oneTokenLimit.usageCompletionTokens = 1;
        oneTokenLimit.finishReason = "length";
        assertThat(RequestMetrics.compute(oneTokenLimit, "st", "w", 0, 0, 0, false, true).outcome().error()).isNull();
        // Two counted and none streamed is not that: the answer went by a channel the parser does not read (flagged apart).
        RequestStamps unread = stream(0, 10, 10);
        unread.usageCompletionTokens = 2;
        assertThat(RequestMetrics.compute(unread, "st", "w", 0, 0, 0, false, true).outcome().error()).isNull();
        RequestStamps cancelled = stream(3, 10, 10);
        cancelled.sawDone = false;
        RequestRecord c = RequestMetrics.compute(cancelled, "st", "w", 0, 0, 0, true, true);
        assertThat(c.outcome().error()).isNull();
        assertThat(c.ok()).isFalse();
    }
}
