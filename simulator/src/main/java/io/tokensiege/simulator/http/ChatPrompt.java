package io.tokensiege.simulator.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.simulator.engine.ChatMessage;
import io.tokensiege.simulator.engine.ToolCall;
import io.tokensiege.simulator.engine.ToolSpec;
import io.tokensiege.simulator.tools.ToolChoice;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What a chat template renders, validated: the {@code messages} (system, developer, user, assistant with
 * content and/or {@code tool_calls}, and {@code tool} results) and the {@code tools} offered, with the
 * request's {@code tool_choice}. Chat requests, llama.cpp's /apply-template and vLLM's /tokenize all parse
 * their body with this, so they count the same prompt.
 */
record ChatPrompt(List<ChatMessage> messages, List<ToolSpec> tools, ToolChoice toolChoice) {
    private static final List<String> ROLES = List.of("system", "developer", "user", "assistant", "tool");

    /** Parses {@code messages}, {@code tools} and {@code tool_choice} of a request body. */
    static ChatPrompt parse(JsonNode root) throws ChatRequest.BadRequest {
        List<ChatMessage> messages = parseMessages(root.get("messages"));
        List<ToolSpec> tools = ToolsParser.tools(root.get("tools"));
        return new ChatPrompt(messages, tools, ToolsParser.choice(root.get("tool_choice"), tools));
    }

    /** The same prompt without its tools: a server that ignores them neither renders nor counts them. */
    ChatPrompt withoutTools() {
        return new ChatPrompt(messages, List.of(), ToolChoice.AUTO);
    }

    /** The conversation's last message is a tool result: the model answers it in content. */
    boolean answersToolResult() {
        return messages.get(messages.size() - 1).role().equals("tool");
    }

    static List<ChatMessage> parseMessages(JsonNode messages) throws ChatRequest.BadRequest {
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw new ChatRequest.BadRequest("'messages' is required and must be a non-empty array.", "messages");
        }
        List<ChatMessage> out = new ArrayList<>();
        Set<String> callIds = new HashSet<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String at = "messages[" + i + "]";
            if (!m.isObject()) throw new ChatRequest.BadRequest(at + " must be an object with 'role' and 'content'.", at);
            String role = m.path("role").asText(null);
            if (role == null) throw new ChatRequest.BadRequest(at + ".role is required.", at + ".role");
            if (!ROLES.contains(role)) {
                throw new ChatRequest.BadRequest(at + ".role '" + role + "' is not one of: " + String.join(", ", ROLES) + ".", at + ".role");
            }
            List<ToolCall> calls = toolCalls(m.get("tool_calls"), role, at);
            for (ToolCall c : calls) callIds.add(c.id());
            String toolCallId = role.equals("tool") ? toolCallId(m.get("tool_call_id"), callIds, at) : null;
            out.add(new ChatMessage(role, contentText(m.get("content"), at), calls, toolCallId));
        }
        return out;
    }

    private static List<ToolCall> toolCalls(JsonNode calls, String role, String at) throws ChatRequest.BadRequest {
        if (calls == null || calls.isNull()) return List.of();
        String param = at + ".tool_calls";
        if (!role.equals("assistant")) throw new ChatRequest.BadRequest(param + " is only allowed on assistant messages.", param);
        if (!calls.isArray()) throw new ChatRequest.BadRequest(param + " must be an array of function calls.", param);
        List<ToolCall> out = new ArrayList<>();
        for (int j = 0; j < calls.size(); j++) {
            JsonNode c = calls.get(j);
            String cat = param + "[" + j + "]";
            JsonNode type = c.get("type");
            if (type != null && !"function".equals(type.asText())) throw new ChatRequest.BadRequest(cat + ".type must be 'function'.", cat + ".type");
            String id = requiredText(c.get("id"), cat + ".id");
            String name = requiredText(c.path("function").get("name"), cat + ".function.name");
            String arguments = requiredText(c.path("function").get("arguments"), cat + ".function.arguments");
            out.add(new ToolCall(id, name, arguments));
        }
        return out;
    }

    private static String toolCallId(JsonNode id, Set<String> earlierCallIds, String at) throws ChatRequest.BadRequest {
        String value = requiredText(id, at + ".tool_call_id");
        if (!earlierCallIds.contains(value)) {
            throw new ChatRequest.BadRequest(at + ".tool_call_id '" + value + "' matches none of the tool calls of earlier assistant messages; "
                    + "a 'tool' message answers one of them.", at + ".tool_call_id");
        }
        return value;
    }

    private static String requiredText(JsonNode node, String param) throws ChatRequest.BadRequest {
        if (node == null || !node.isTextual()) throw new ChatRequest.BadRequest(param + " is required and must be a string.", param);
        return node.asText();
    }

    private static String contentText(JsonNode content, String at) throws ChatRequest.BadRequest {
        if (content == null || content.isNull()) return "";
        if (content.isTextual()) return content.asText();
        if (content.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : content) sb.append(part.path("text").asText(""));
            return sb.toString();
        }
        throw new ChatRequest.BadRequest(at + ".content must be a string, an array of parts or null.", at + ".content");
    }
}
