package io.tokensiege.simulator.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * An agent conversation as a client builds it (system prompt, user turns, the server's answers and tool
 * results appended), with the tools it offers, and one fresh connection per request to a simulator.
 */
final class Conversation {
    /** A search tool with a schema, as an agent framework sends it (compact JSON, the field order kept). */
    static final String SEARCH_TOOL = "{\"type\":\"function\",\"function\":{\"name\":\"search\",\"description\":\"Search the team's documents\","
            + "\"parameters\":{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\"},\"limit\":{\"type\":\"integer\"}},\"required\":[\"query\"]}}}";
    static final String CALENDAR_TOOL = "{\"type\":\"function\",\"function\":{\"name\":\"calendar\",\"parameters\":{\"type\":\"object\","
            + "\"properties\":{\"day\":{\"type\":\"string\"}}}}}";

    private final String model;
    private final ArrayNode messages = SimHarness.JSON.createArrayNode();
    private final List<String> tools = new ArrayList<>();
    private Object toolChoice;

    Conversation(String model) {
        this.model = model;
    }

    Conversation system(String text) {
        messages.addObject().put("role", "system").put("content", text);
        return this;
    }

    Conversation user(String text) {
        messages.addObject().put("role", "user").put("content", text);
        return this;
    }

    Conversation assistant(String text) {
        messages.addObject().put("role", "assistant").put("content", text);
        return this;
    }

    /** An assistant turn that called a tool: content null, one tool call. */
    Conversation assistantCall(String id, String name, String arguments) {
        ObjectNode m = messages.addObject().put("role", "assistant").putNull("content");
        m.putArray("tool_calls").addObject().put("id", id).put("type", "function").putObject("function").put("name", name).put("arguments", arguments);
        return this;
    }

    Conversation toolResult(String callId, String content) {
        messages.addObject().put("role", "tool").put("tool_call_id", callId).put("content", content);
        return this;
    }

    /** Appends the answer of a non-streamed response, content or tool call, as the client got it. */
    Conversation answer(JsonNode response) {
        JsonNode message = response.at("/choices/0/message");
        JsonNode calls = message.get("tool_calls");
        if (calls == null || calls.isEmpty()) return assistant(message.get("content").asText());
        JsonNode call = calls.get(0);
        return assistantCall(call.get("id").asText(), call.at("/function/name").asText(), call.at("/function/arguments").asText());
    }

    Conversation tools(String... toolJson) {
        tools.addAll(List.of(toolJson));
        return this;
    }

    /** "auto", "none", "required", or a function name. */
    Conversation toolChoice(String choice) {
        toolChoice = choice;
        return this;
    }

    ArrayNode messages() {
        return messages.deepCopy();
    }

    ObjectNode body(int maxTokens, boolean stream) throws Exception {
        ObjectNode body = SimHarness.JSON.createObjectNode().put("model", model);
        body.set("messages", messages.deepCopy());
        addTools(body);
        body.put("max_tokens", maxTokens).put("stream", stream).putObject("stream_options").put("include_usage", true);
        return body;
    }

    /** {"messages", "tools"} for /apply-template and /tokenize (with {@code model} for vLLM). */
    ObjectNode templateBody() throws Exception {
        ObjectNode body = SimHarness.JSON.createObjectNode().put("model", model);
        body.set("messages", messages.deepCopy());
        addTools(body);
        return body;
    }

    private void addTools(ObjectNode body) throws Exception {
        if (!tools.isEmpty()) {
            ArrayNode array = body.putArray("tools");
            for (String t : tools) array.add(SimHarness.JSON.readTree(t));
        }
        if (toolChoice instanceof String c) {
            if (List.of("auto", "none", "required").contains(c)) body.put("tool_choice", c);
            else body.putObject("tool_choice").put("type", "function").putObject("function").put("name", c);
        }
    }

    /** Posts a non-streamed chat request on a fresh connection. */
    JsonNode send(SimulatorServer s, int maxTokens) throws Exception {
        RawHttp.Response r = post(s, "/v1/chat/completions", body(maxTokens, false).toString());
        if (r.status() != 200) throw new AssertionError("HTTP " + r.status() + ": " + r.body());
        return SimHarness.json(r.body());
    }

    static RawHttp.Response post(SimulatorServer s, String path, String body, String... headers) throws Exception {
        try (RawHttp conn = new RawHttp(s.port())) {
            return conn.post(path, body, headers);
        }
    }
}
