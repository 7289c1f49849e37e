package io.tokensiege.common.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.metric.TokenSource;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Numbers that cannot be real are flagged, each with its own code; plausible ones raise nothing. */
class PlausibilityTest {
    private static RequestRecord record(Long ttft, Long e2e, Double decode, int tokens, TokenSource source, Integer usage, int events, int reasoning,
                                        int content) {
        return new RequestRecord("s", "w", 0, 0, 0, 0, null, ttft, ttft, ttft, 100L, e2e, 10L, decode, tokens, source, events, null, reasoning, content, 0,
                10, 0, usage, "stop", null, null, 200, "id", 10, "x", false, true, null, null, null, null, null);
    }

    private static List<String> codes(List<RequestRecord> records) {
        return Plausibility.check("s", records, 1.0, 400, 0, 0).stream().map(Flag::code).toList();
    }

    @Test
    void plausibleRequests_raiseNoFlag() {
        assertThat(codes(List.of(record(150_000L, 4_000_000L, 50.0, 200, TokenSource.USAGE, 200, 200, 0, 200)))).isEmpty();
    }

    @Test
    void eachImpossibility_hasItsFlag() {
        assertThat(codes(List.of(record(150_000L, 4_000_000L, 574.0, 200, TokenSource.USAGE, 200, 200, 0, 200)))).containsExactly(Flag.DECODE_IMPLAUSIBLE);
        assertThat(codes(List.of(record(5_000_000L, 4_000_000L, 50.0, 200, TokenSource.USAGE, 200, 200, 0, 200)))).containsExactly(Flag.TTFT_GT_E2E);
        assertThat(codes(List.of(record(0L, 4_000_000L, 50.0, 200, TokenSource.USAGE, 200, 200, 0, 200)))).containsExactly(Flag.ZERO_TTFT);
        assertThat(codes(List.of(record(150_000L, 4_000_000L, 50.0, 200, TokenSource.USAGE, 200, 100, 0, 100)))).containsExactly(Flag.USAGE_MISMATCH);
        assertThat(codes(List.of(record(150_000L, 4_000_000L, 50.0, 60, TokenSource.USAGE, 60, 60, 60, 0)))).containsExactly(Flag.REASONING_ONLY);
        assertThat(codes(List.of(record(150_000L, 4_000_000L, 50.0, 200, TokenSource.COUNTED, null, 200, 0, 200)))).containsExactly(Flag.NO_USAGE);
        // A usage above max_tokens was not believed (the record keeps it, with the counted source).
        assertThat(codes(List.of(record(150_000L, 4_000_000L, 50.0, 5, TokenSource.COUNTED, 2_000_000_000, 5, 0, 5)))).contains(Flag.USAGE_ABSURD);
    }

    @Test
    void cancelledAndClampedValues_areFlaggedFromTheStepsCounts() {
        List<String> c = Plausibility.check("s", List.of(), 1.0, 400, 3, 2).stream().map(Flag::code).toList();
        assertThat(c).containsExactly(Flag.CANCELLED_AT_END, Flag.CLAMPED);
    }
}
