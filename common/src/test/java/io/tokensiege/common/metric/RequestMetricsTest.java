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
        RequestStamps cancelled = stream(3, 10, 10);
        cancelled.sawDone = false;
        RequestRecord c = RequestMetrics.compute(cancelled, "st", "w", 0, 0, 0, true, true);
        assertThat(c.outcome().error()).isNull();
        assertThat(c.ok()).isFalse();
    }
}
