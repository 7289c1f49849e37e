package io.tokensiege.worker.sse;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.metric.RequestStamps;
import io.tokensiege.common.metric.ServerError;
import org.junit.jupiter.api.Test;

class ChunkDecoderTest {
    private final ChunkDecoder decoder = new ChunkDecoder();

    private ChunkInfo decode(String json) {
        byte[] b = json.getBytes();
        return decoder.decode(b, b.length);
    }

    @Test
    void roleOnlyChunk_carriesNoToken() {
        assertThat(decode("{\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}").carriesToken()).isFalse();
        assertThat(decode("{\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":null}}]}").carriesToken()).isFalse();
    }

    @Test
    void everyGeneratedChannel_carriesToken() {
        assertThat(decode("{\"choices\":[{\"delta\":{\"content\":\"\",\"reasoning\":\"hm\"}}]}").reasoningChars).isEqualTo(2);
        assertThat(decode("{\"choices\":[{\"delta\":{\"reasoning_content\":\"abc\"}}]}").reasoningChars).isEqualTo(3);
        assertThat(decode("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c1\",\"function\":{\"name\":\"f\",\"arguments\":\"\"}}]}}]}").toolCallParts)
                .isEqualTo(1);
        assertThat(decode("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"a\"}}]}}]}").toolCallParts).isEqualTo(1);
        // Nothing generated: an index alone, or empty arguments, is no token (it would have set TTFT and TTFA early).
        assertThat(decode("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0}]}}]}").carriesToken()).isFalse();
        assertThat(decode("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\"}}]}}]}").carriesToken()).isFalse();
        ChunkInfo c = decode("{\"choices\":[{\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}");
        assertThat(c.contentChars).isEqualTo(2);
        assertThat(c.contentText.toString()).isEqualTo("Hi");
    }

    @Test
    void theFinishReasonsArrival_isStampedOnce_theUsageChunkAfterItLeavesItAlone() {
        RequestStamps stamps = new RequestStamps();
        decode("{\"choices\":[{\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}").copyTotalsTo(stamps, 10);
        assertThat(stamps.finishNanos).isEqualTo(RequestStamps.NONE);

        decode("{\"choices\":[{\"finish_reason\":\"stop\",\"index\":0,\"delta\":{}}]}").copyTotalsTo(stamps, 42);
        decode("{\"choices\":[],\"usage\":{\"completion_tokens\":2}}").copyTotalsTo(stamps, 50);
        decode("{\"choices\":[{\"finish_reason\":\"stop\",\"index\":0,\"delta\":{}}]}").copyTotalsTo(stamps, 60);

        assertThat(stamps.finishReason).isEqualTo("stop");
        assertThat(stamps.finishNanos).isEqualTo(42);
        assertThat(stamps.usageCompletionTokens).isEqualTo(2);
    }

    @Test
    void usageOnlyChunk_isReadWithDetails() {
        ChunkInfo c = decode("{\"choices\":[],\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":7,"
                + "\"prompt_tokens_details\":{\"cached_tokens\":16},\"completion_tokens_details\":{\"reasoning_tokens\":3}}}");
        assertThat(c.carriesToken()).isFalse();
        assertThat(c.usageCompletionTokens).isEqualTo(7);
        assertThat(c.usagePromptTokens).isEqualTo(20);
        assertThat(c.usageCachedTokens).isEqualTo(16);
        assertThat(c.usageReasoningTokens).isEqualTo(3);
    }

    @Test
    void numbersThatAreNoCount_neverFailTheEvent_aCompletionCountIsKeptAsNoCount_theRestAsAbsent() {
        for (String bad : new String[] {"3000000000", "1000000000000", "-5", "7.5", "1e308"}) {
            ChunkInfo c = decode("{\"choices\":[{\"delta\":{\"content\":\"x\",\"tool_calls\":[{\"index\":" + bad + ",\"function\":{\"name\":\"f\"}}]}}],"
                    + "\"usage\":{\"completion_tokens\":" + bad + ",\"prompt_tokens\":" + bad + ",\"prompt_tokens_details\":{\"cached_tokens\":" + bad
                    + "}},\"timings\":{\"cache_n\":" + bad + ",\"prompt_n\":" + bad + ",\"predicted_n\":" + bad + "}}");
            assertThat(c.malformed).as(bad).isFalse();
            assertThat(c.carriesToken()).as(bad).isTrue();
            assertThat(c.usageCompletionTokens).as(bad).isEqualTo(RequestStamps.NOT_A_COUNT);
            assertThat(c.usagePromptTokens).as(bad).isEqualTo(-1);
            assertThat(c.usageCachedTokens).as(bad).isEqualTo(-1);
            assertThat(c.timingsCacheN).as(bad).isEqualTo(-1);
            assertThat(c.timingsPromptN).as(bad).isEqualTo(-1);
            assertThat(c.timingsPredictedN).as(bad).isEqualTo(-1);
        }
        assertThat(decode("{\"choices\":[],\"usage\":{\"completion_tokens\":\"7\"}}").usageCompletionTokens).as("not a number: absent").isEqualTo(-1);
        ChunkInfo absurdTimings = decode("{\"choices\":[],\"timings\":{\"prompt_ms\":1e300,\"predicted_ms\":-3,\"predicted_per_second\":2e9,\"predicted_n\":4}}");
        assertThat(absurdTimings.timingsPromptMs).isEqualTo(-1);
        assertThat(absurdTimings.timingsPredictedMs).isEqualTo(-1);
        assertThat(absurdTimings.timingsPredictedPerSecond).isEqualTo(-1);
        assertThat(absurdTimings.timingsPredictedN).isEqualTo(4);
    }

    @Test
    void doneAndMalformedAndErrorEvents() {
        assertThat(decode("[DONE]").done).isTrue();
        assertThat(decode("{\"choices\":[{\"delta\":{\"content\":\"bro").malformed).isTrue();
        assertThat(decode("[1,2]").malformed).isTrue();
        ServerError error = ServerError.parse(decode("{\"error\":{\"message\":\"out of memory\",\"code\":500,\"type\":\"server_error\"}}").errorJson);
        assertThat(error.message()).isEqualTo("out of memory");
        assertThat(error.type()).isEqualTo("server_error");
        assertThat(ServerError.parse(decode("{\"error\":\"model not loaded\"}").errorJson).message()).isEqualTo("model not loaded");
    }

    @Test
    void llamaCppTimings_areRead() {
        ChunkInfo c = decode("{\"choices\":[],\"usage\":{\"completion_tokens\":4,\"prompt_tokens\":31},\"timings\":{\"cache_n\":10,\"prompt_n\":21,"
                + "\"prompt_ms\":17.638,\"prompt_per_second\":1190.6,\"predicted_n\":4,\"predicted_ms\":11.993,\"predicted_per_second\":333.52789126990746}}");
        assertThat(c.hasTimings).isTrue();
        assertThat(c.timingsCacheN).isEqualTo(10);
        assertThat(c.timingsPromptN).isEqualTo(21);
        assertThat(c.timingsPromptMs).isEqualTo(17.638);
        assertThat(c.timingsPredictedN).isEqualTo(4);
        assertThat(c.timingsPredictedMs).isEqualTo(11.993);
        assertThat(c.timingsPredictedPerSecond).isEqualTo(333.52789126990746);
        assertThat(decode("{\"choices\":[]}").hasTimings).isFalse();
    }

    @Test
    void oneDecoderServesEveryEventOfAStream_andAMalformedOneDoesNotSpoilTheNext() {
        ChunkDecoder d = new ChunkDecoder();
        String ok = "{\"id\":\"x\",\"choices\":[{\"delta\":{\"content\":\"ab\"}}]}";
        for (int i = 0; i < 1000; i++) assertThat(d.decode(ok.getBytes(), ok.length()).contentChars).isEqualTo(2);
        assertThat(d.decode("{\"choices\":[{\"delta\":".getBytes(), 21).malformed).isTrue();
        assertThat(d.decode("{\"a\":1} {\"b\":2}".getBytes(), 15).malformed).isTrue(); // trailing data
        ChunkInfo after = d.decode(ok.getBytes(), ok.length());
        assertThat(after.malformed).isFalse();
        assertThat(after.contentText.toString()).isEqualTo("ab");
        byte[] framed = ("junk" + ok + "junk").getBytes();
        assertThat(d.decode(framed, 4, ok.length()).contentChars).isEqualTo(2); // a slice of a bigger buffer
    }

    @Test
    void oneDecoderServesInterleavedResponsesOfALane_andABrokenOneDoesNotSpoilTheOthers() {
        ChunkDecoder d = new ChunkDecoder();
        for (int i = 0; i < 50; i++) {
            String a = "{\"id\":\"a\",\"choices\":[{\"delta\":{\"content\":\"" + "x".repeat(i % 7 + 1) + "\"}}]}";
            String b = "{\"id\":\"b\",\"choices\":[{\"delta\":{\"reasoning_content\":\"yy\"}}],\"usage\":{\"completion_tokens\":" + i + "}}";
            assertThat(decodeWith(d, a).contentChars).isEqualTo(i % 7 + 1);
            if (i % 10 == 3) assertThat(decodeWith(d, "{\"choices\":[{\"delta\":{\"content\":").malformed).isTrue(); // a third stream broke off
            ChunkInfo fromB = decodeWith(d, b);
            assertThat(fromB.malformed).isFalse();
            assertThat(fromB.reasoningChars).isEqualTo(2);
            assertThat(fromB.usageCompletionTokens).isEqualTo(i);
            assertThat(fromB.id).isEqualTo("b");
        }
        assertThat(d.parsersCreated()).isEqualTo(1 + 5); // the first, then one after each broken event
    }

    @Test
    void aServerInventingFieldNames_getsAFreshParserEveryFewMegabytes() {
        ChunkDecoder d = new ChunkDecoder();
        StringBuilder names = new StringBuilder("{");
        for (int i = 0; i < 2000; i++) names.append("\"name").append(i).append("\":1,");
        int perEvent = names.length() + 40;
        int events = 3 * ChunkDecoder.RECYCLE_BYTES / perEvent + 1;
        for (int e = 0; e < events; e++) {
            String json = names + "\"event\":" + e + ",\"choices\":[{\"delta\":{\"content\":\"z\"}}]}";
            assertThat(decodeWith(d, json.replace("name", "n" + e + "_")).contentChars).isEqualTo(1); // new names every event
        }
        assertThat(d.parsersCreated()).isBetween(3, 4); // one per 4 MB fed, not one per event and not one for ever
    }

    @Test
    void textIsReadOnlyWhenWanted_butCharactersAreAlwaysCounted() {
        ChunkDecoder d = new ChunkDecoder();
        d.wantId(false);
        d.wantContentText(false);
        ChunkInfo c = decodeWith(d, "{\"id\":\"chatcmpl-1\",\"choices\":[{\"delta\":{\"content\":\"hello\"}}]}");
        assertThat(c.id).isNull();
        assertThat(c.contentText).isEmpty();
        assertThat(c.contentChars).isEqualTo(5);
        d.wantId(true);
        d.wantContentText(true);
        c = decodeWith(d, "{\"id\":\"chatcmpl-1\",\"choices\":[{\"delta\":{\"content\":\"hello\"}}]}");
        assertThat(c.id).isEqualTo("chatcmpl-1");
        assertThat(c.contentText.toString()).isEqualTo("hello");
    }

    private static ChunkInfo decodeWith(ChunkDecoder d, String json) {
        byte[] b = json.getBytes();
        return d.decode(b, b.length);
    }
}
