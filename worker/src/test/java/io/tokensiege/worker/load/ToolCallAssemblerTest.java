package io.tokensiege.worker.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.chat.ChatMessage;
import io.tokensiege.worker.sse.ChunkInfo.ToolCallDelta;
import org.junit.jupiter.api.Test;

/** Streamed tool-call pieces become whole calls; a server that streams a name without end gets a bounded, malformed one. */
class ToolCallAssemblerTest {
    @Test
    void aCallStreamedInPieces_isJoined_andWellFormed() {
        ToolCallAssembler a = new ToolCallAssembler();
        a.add(new ToolCallDelta(0, "call_1", "get_", null));
        a.add(new ToolCallDelta(0, null, "weather", "{\"city\":"));
        a.add(new ToolCallDelta(0, null, null, "\"Oslo\"}"));
        assertThat(a.calls("id-")).containsExactly(new ChatMessage.ToolCall("call_1", "get_weather", "{\"city\":\"Oslo\"}"));
        assertThat(a.anyMalformed()).isFalse();
    }

    @Test
    void aNameThatKeepsGrowing_isCutAtItsBound_andTheCallIsMalformed() {
        ToolCallAssembler a = new ToolCallAssembler();
        String piece = "n".repeat(100_000);
        for (int i = 0; i < 1_000; i++) a.add(new ToolCallDelta(0, i == 0 ? "x".repeat(100_000) : null, piece, "{}")); // 100 MB of name, unbounded
        ChatMessage.ToolCall call = a.calls("id-").get(0);
        assertThat(call.name()).hasSize(ToolCallAssembler.MAX_NAME_CHARS);
        assertThat(call.id()).hasSize(ToolCallAssembler.MAX_NAME_CHARS);
        assertThat(a.anyMalformed()).isTrue();
    }
}
