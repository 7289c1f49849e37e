package io.tokensiege.worker.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.chat.ChatMessage;
import io.tokensiege.common.plan.Target;
import io.tokensiege.common.plan.Timeouts;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A replayed record carries the step's tag before its first text, and nowhere else. */
class StepTaggedTest {
    private final RequestFactory factory = new RequestFactory(new StepSpec("s1", 0, StepKind.CLOSED,
            new Target("t", "http://127.0.0.1:1/v1", "m", null, Map.of(), Map.of(), null), "replay", 1, 1, 1, 0, 0, 0, 16, 0.0, 0, false, 0, List.of(),
            Timeouts.DEFAULT, 7, "abc123", null, null, null), "w1", null);

    @Test
    void theFirstTextIsTagged_evenAfterAToolCallOnlyMessage_andTheRestIsAsRecorded() {
        ChatMessage calls = new ChatMessage("assistant", null, List.of(new ChatMessage.ToolCall("c1", "search", "{}")), null);
        ChatMessage result = new ChatMessage("tool", "found it", null, "c1");
        ChatMessage question = new ChatMessage("user", "and then?");
        List<ChatMessage> sent = factory.stepTagged(List.of(calls, result, question));
        assertThat(sent).containsExactly(calls, new ChatMessage("tool", "[abc123] found it", null, "c1"), question);
        assertThat(factory.stepTagged(List.of(calls))).as("no text at all: sent as recorded").containsExactly(calls);
    }
}
