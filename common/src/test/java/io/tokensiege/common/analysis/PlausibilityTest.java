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
        return new RequestRecord(new RequestRecord.Origin("s", "w", 0, 0, 0, null),
                true,
                new RequestRecord.Times(0, null, ttft, ttft, ttft, 100L, e2e, 10L, decode),
                new RequestRecord.Tokens(tokens, source, events, null, reasoning, content, 0, 10, 0, usage),
                new RequestRecord.Outcome("stop", null, null, null, 200, false),
                new RequestRecord.Answer("id", 10, "x"),
                null, null, null);
    }

    private static List<String> codes(List<RequestRecord> records) {
        return Plausibility.check("s", records, 1.0, 400, 0, 0).stream().map(Flag::code).toList();
    }

    @Test
    void plausibleRequests_raiseNoFlag() {
        assertThat(codes(List.of(record(150_000L, 4_000_000L, 50.0, 200, TokenSource.USAGE, 200, 200, 0, 200)))).isEmpty();
    }

    @Test
    void theOneEndTokenAServerCountsWithoutStreaming_isNoMismatch_twoAre() {
        // llama.cpp's usage counts the end-of-sequence token: a 6-token answer that stopped by itself reports 7 (14 % apart).
        assertThat(codes(List.of(record(150_000L, 400_000L, 50.0, 7, TokenSource.USAGE, 7, 6, 0, 6)))).isEmpty();
        assertThat(codes(List.of(record(150_000L, 400_000L, 50.0, 12, TokenSource.USAGE, 12, 10, 0, 10)))).containsExactly(Flag.USAGE_MISMATCH);
        // A success with nothing streamed (max_tokens cut its one token, which went by a channel the parser does not read).
        assertThat(codes(List.of(record(null, 400_000L, null, 1, TokenSource.USAGE, 1, 0, 0, 0)))).containsExactly(Flag.USAGE_MISMATCH);
    }

    @Test
    void aFastDecodeTheServerConfirms_isNoFlag_andOneItDenies_isNamedABurst() {
        RequestRecord fast = record(150_000L, 600_000L, 454.0, 32, TokenSource.USAGE, 32, 32, 0, 32);
        RequestRecord confirmed = withServerRate(fast, 470.8); // a tiny model on llama.cpp really decodes this fast
        assertThat(codes(List.of(confirmed))).isEmpty();
        RequestRecord burst = withServerRate(record(150_000L, 160_000L, 209_411.0, 32, TokenSource.USAGE, 32, 32, 0, 32), 68.0);
        List<Flag> flags = Plausibility.check("s", List.of(burst), 1.0, 400, 0, 0);
        assertThat(flags).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo(Flag.DECODE_IMPLAUSIBLE);
            assertThat(f.message()).contains("worst 209411 tok/s, which the server decoded at 66 tok/s by its own timings")
                    .contains("arrived in bursts").doesNotContain("every generated channel");
        });
        assertThat(Plausibility.check("s", List.of(fast), 1.0, 400, 0, 0)).singleElement().extracting(Flag::message).asString()
                .as("no server timings: the channel check stays").contains("check that every generated channel is streamed and counted");
    }

    private static RequestRecord withServerRate(RequestRecord r, double tokS) {
        return new RequestRecord(r.origin(), r.measured(), r.times(), r.tokens(), r.outcome(), r.answer(), r.connection(),
                new io.tokensiege.common.metric.ServerTimings(10, 0, 5.0, 32, 32 * 1000 / tokS, tokS), r.agent());
    }

    @Test
    void eachImpossibility_hasItsFlag() {
        assertThat(codes(List.of(record(150_000L, 4_000_000L, 574.0, 200, TokenSource.USAGE, 200, 200, 0, 200)))).containsExactly(Flag.DECODE_IMPLAUSIBLE);
        assertThat(codes(List.of(record(5_000_000L, 4_000_000L, 50.0, 200, TokenSource.USAGE, 200, 200, 0, 200)))).containsExactly(Flag.TTFT_GT_E2E);
        // Every token in one read (a buffering proxy): no decode time, and the TTFT is the whole answer's.
        assertThat(codes(List.of(record(4_000_000L, 4_000_000L, null, 200, TokenSource.USAGE, 200, 200, 0, 200)))).containsExactly(Flag.BUFFERED);
        assertThat(codes(List.of(record(150_000L, 4_000_000L, 50.0, 200, TokenSource.USAGE, 200, 100, 0, 100)))).containsExactly(Flag.USAGE_MISMATCH);
        assertThat(codes(List.of(record(150_000L, 4_000_000L, 50.0, 60, TokenSource.USAGE, 60, 60, 60, 0)))).containsExactly(Flag.REASONING_ONLY);
        assertThat(codes(List.of(record(150_000L, 4_000_000L, 50.0, 200, TokenSource.COUNTED, null, 200, 0, 200)))).containsExactly(Flag.NO_USAGE);
        // A usage above max_tokens was not believed (the record keeps it, with the counted source).
        assertThat(codes(List.of(record(150_000L, 4_000_000L, 50.0, 5, TokenSource.COUNTED, 2_000_000_000, 5, 0, 5)))).contains(Flag.USAGE_ABSURD);
    }

    @Test
    void answersThatArriveAllAtOnce_areFlaggedAboveOneInTwenty_andOneEventAnswersNeverCount() {
        var streamed = record(150_000L, 4_000_000L, 50.0, 200, TokenSource.USAGE, 200, 200, 0, 200);
        var buffered = record(4_000_000L, 4_000_000L, null, 200, TokenSource.USAGE, 200, 200, 0, 200);
        var oneToken = record(150_000L, 150_000L, null, 2, TokenSource.USAGE, 2, 1, 0, 1); // one event; its usage counts the end token
        List<RequestRecord> oneInTwenty = new java.util.ArrayList<>(java.util.Collections.nCopies(19, streamed));
        oneInTwenty.add(buffered);
        assertThat(codes(oneInTwenty)).isEmpty();
        List<RequestRecord> twoInTwenty = new java.util.ArrayList<>(oneInTwenty);
        twoInTwenty.set(0, buffered);
        assertThat(codes(twoInTwenty)).containsExactly(Flag.BUFFERED);
        assertThat(Plausibility.check("s", twoInTwenty, 1.0, 400, 0, 0).get(0).message()).startsWith("2 of 20 answers of two token events");
        assertThat(codes(java.util.Collections.nCopies(5, oneToken))).isEmpty();
    }

    @Test
    void cancelledAndClampedValues_areFlaggedFromTheStepsCounts() {
        List<String> c = Plausibility.check("s", List.of(), 1.0, 400, 3, 2).stream().map(Flag::code).toList();
        assertThat(c).containsExactly(Flag.CANCELLED_AT_END, Flag.CLAMPED);
    }

    @Test
    void eachFlag_countsItsRequests_ofTheSuccessfulOnes() {
        RequestRecord fine = record(150_000L, 4_000_000L, 50.0, 200, TokenSource.USAGE, 200, 200, 0, 200);
        RequestRecord unusedUsage = record(150_000L, 4_000_000L, 50.0, 200, TokenSource.COUNTED, null, 200, 0, 200);
        List<Flag> flags = Plausibility.check("s7", List.of(fine, unusedUsage, unusedUsage), 1.0, 400, 0, 0);
        assertThat(flags).containsExactly(new Flag(Flag.NO_USAGE, "s7",
                "2 of 3 requests had no usage block: output_tokens are counted events (labelled 'counted')"));
    }

    @Test
    void failedRequests_raiseNoMeasurementFlag_butAnEmptyAnswerIsCounted() {
        RequestRecord failedButAbsurd = failed(record(5_000_000L, 4_000_000L, 574.0, 0, TokenSource.COUNTED, null, 0, 0, 0), "timeout");
        assertThat(codes(List.of(failedButAbsurd))).isEmpty();
        RequestRecord empty = failed(record(150_000L, 4_000_000L, null, 0, TokenSource.COUNTED, null, 0, 0, 0), "empty");
        List<Flag> flags = Plausibility.check("s", List.of(empty, empty), 1.0, 400, 0, 0);
        assertThat(flags).containsExactly(new Flag(Flag.EMPTY, "s", "2 requests ended without any generated token"));
    }

    @Test
    void theDecodeCeiling_isInTheTargetsOwnTime_andReachingItIsPlausible() {
        // 4,000 tok/s measured against a simulator 10x faster is 400 tok/s of target time: at the ceiling, not over it.
        assertThat(codes(List.of(record(150_000L, 4_000_000L, 4_000.0, 200, TokenSource.USAGE, 200, 200, 0, 200)), 10)).isEmpty();
        List<Flag> over = Plausibility.check("s", List.of(record(150_000L, 4_000_000L, 4_010.0, 200, TokenSource.USAGE, 200, 200, 0, 200),
                record(150_000L, 4_000_000L, 5_740.0, 200, TokenSource.USAGE, 200, 200, 0, 200)), 10, 400, 0, 0);
        assertThat(over).extracting(Flag::message).containsExactly("2 requests decode faster than the plausibility ceiling of 400 tok/s"
                + " (worst 574 tok/s): check that every generated channel is streamed and counted");
    }

    @Test
    void usageAndEvents_mayDifferByTenPercent() {
        assertThat(codes(List.of(record(150_000L, 4_000_000L, 50.0, 200, TokenSource.USAGE, 200, 180, 0, 180)))).isEmpty();
        assertThat(codes(List.of(record(150_000L, 4_000_000L, 50.0, 200, TokenSource.USAGE, 200, 179, 0, 179)))).containsExactly(Flag.USAGE_MISMATCH);
        // A success without token-carrying events whose usage counts tokens: they went by a channel the parser does not read.
        assertThat(codes(List.of(record(150_000L, 4_000_000L, 50.0, 200, TokenSource.USAGE, 200, 0, 0, 0)))).containsExactly(Flag.USAGE_MISMATCH);
    }

    @Test
    void anAnswerMadeOfToolCalls_isNotReasoningOnly() {
        RequestRecord r = record(150_000L, 4_000_000L, 50.0, 60, TokenSource.USAGE, 60, 60, 30, 0);
        RequestRecord withToolCall = new RequestRecord(new RequestRecord.Origin(r.origin().stepId(), r.origin().workerId(), r.origin().stream(), r.origin().seq(), r.origin().turn(), null),
                true,
                new RequestRecord.Times(r.times().sendEpochMicros(), r.times().scheduleLagMicros(), r.times().ttftMicros(), r.times().ttftIntendedMicros(), r.times().ttfaMicros(), r.times().ttfbMicros(), r.times().e2eMicros(), r.times().tpotMicros(), r.times().decodeRateTokS()),
                new RequestRecord.Tokens(r.tokens().outputTokens(), r.tokens().tokenSource(), r.tokens().tokenEvents(), r.tokens().reasoningTokens(), r.tokens().reasoningEvents(), r.tokens().contentEvents(), 30, r.tokens().promptTokens(), r.tokens().cachedTokens(), r.tokens().usageCompletionTokens()),
                new RequestRecord.Outcome("tool_calls", null, null, null, 200, false),
                new RequestRecord.Answer("id", 10, "x"),
                null, null, null);
        assertThat(codes(List.of(r))).containsExactly(Flag.REASONING_ONLY);
        assertThat(codes(List.of(withToolCall))).isEmpty();
    }

    private static List<String> codes(List<RequestRecord> records, double timeScale) {
        return Plausibility.check("s", records, timeScale, 400, 0, 0).stream().map(Flag::code).toList();
    }

    private static RequestRecord failed(RequestRecord r, String error) {
        return new RequestRecord(new RequestRecord.Origin(r.origin().stepId(), r.origin().workerId(), r.origin().stream(), r.origin().seq(), r.origin().turn(), null),
                true,
                new RequestRecord.Times(r.times().sendEpochMicros(), r.times().scheduleLagMicros(), r.times().ttftMicros(), r.times().ttftIntendedMicros(), r.times().ttfaMicros(), r.times().ttfbMicros(), r.times().e2eMicros(), r.times().tpotMicros(), r.times().decodeRateTokS()),
                new RequestRecord.Tokens(r.tokens().outputTokens(), r.tokens().tokenSource(), r.tokens().tokenEvents(), r.tokens().reasoningTokens(), r.tokens().reasoningEvents(), r.tokens().contentEvents(), r.tokens().toolCallEvents(), r.tokens().promptTokens(), r.tokens().cachedTokens(), r.tokens().usageCompletionTokens()),
                new RequestRecord.Outcome(null, error, null, null, 200, false),
                new RequestRecord.Answer("id", 0, null),
                null, null, null);
    }
}
