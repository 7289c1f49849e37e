package io.tokensiege.worker.sse;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChunkDecoderTest {
    private final ChunkDecoder decoder = new ChunkDecoder(80);

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
        assertThat(decode("{\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0}]}}]}").toolCallParts).isEqualTo(1);
        ChunkInfo c = decode("{\"choices\":[{\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}");
        assertThat(c.contentChars).isEqualTo(2);
        assertThat(c.contentText.toString()).isEqualTo("Hi");
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
    void doneAndMalformedAndErrorEvents() {
        assertThat(decode("[DONE]").done).isTrue();
        assertThat(decode("{\"choices\":[{\"delta\":{\"content\":\"bro").malformed).isTrue();
        assertThat(decode("[1,2]").malformed).isTrue();
        assertThat(decode("{\"error\":{\"message\":\"out of memory\",\"code\":500}}").errorMessage).isEqualTo("out of memory");
    }
}
