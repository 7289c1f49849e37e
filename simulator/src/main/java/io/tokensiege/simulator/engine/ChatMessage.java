package io.tokensiege.simulator.engine;

import java.util.List;

/**
 * One message of a chat request, its content flattened to text.
 *
 * @param content    the text ("" for a null content, e.g. an assistant message that only calls tools)
 * @param toolCalls  an assistant message's {@code tool_calls}; empty otherwise
 * @param toolCallId a {@code tool} message's {@code tool_call_id}; null otherwise
 */
public record ChatMessage(String role, String content, List<ToolCall> toolCalls, String toolCallId) {
    public ChatMessage {
        toolCalls = List.copyOf(toolCalls);
    }

    public ChatMessage(String role, String content) {
        this(role, content, List.of(), null);
    }
}
