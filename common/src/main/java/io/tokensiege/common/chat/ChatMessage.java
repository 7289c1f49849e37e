package io.tokensiege.common.chat;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One chat message as sent in {@code messages}: a system, user or assistant text, an assistant's tool calls, or a
 * tool's result ({@code toolCallId} names the call it answers).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatMessage(String role, String content, List<ToolCall> toolCalls, String toolCallId) {
    public ChatMessage(String role, String content) {
        this(role, content, null, null);
    }

    /** A function call an assistant made: its id, the function's name, and the arguments as the model wrote them (JSON text). */
    public record ToolCall(String id, String name, String arguments) {}
}
