package io.tokensiege.simulator.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokensiege.simulator.engine.PromptTokenizer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The parts of an OpenAI chat-completions request body the simulator honours, validated. */
record ChatRequest(String model, String promptText, int promptTokens, int maxTokens, boolean stream, boolean includeUsage) {
    static final int DEFAULT_MAX_TOKENS = 256;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Thrown for a body the simulator must answer with 400; the message is the OpenAI error message. */
    static final class BadRequest extends Exception {
        final String param;

        BadRequest(String message, String param) {
            super(message);
            this.param = param;
        }
    }

    static ChatRequest parse(byte[] body) throws BadRequest {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new BadRequest("The request body is not valid JSON: " + firstLine(e.getMessage()), null);
        }
        if (root == null || !root.isObject()) throw new BadRequest("The request body must be a JSON object.", null);
        JsonNode model = root.get("model");
        if (model == null || !model.isTextual()) throw new BadRequest("'model' is required and must be a string.", "model");
        JsonNode messages = root.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw new BadRequest("'messages' is required and must be a non-empty array.", "messages");
        }
        List<String> contents = new ArrayList<>();
        StringBuilder rendered = new StringBuilder();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String role = m.path("role").asText(null);
            if (role == null) throw new BadRequest("messages[" + i + "].role is required.", "messages[" + i + "].role");
            String content = contentText(m.get("content"), i);
            contents.add(content);
            rendered.append(role).append('\n').append(content).append('\n');
        }
        int maxTokens = DEFAULT_MAX_TOKENS;
        for (String field : new String[] {"max_completion_tokens", "max_tokens"}) {
            JsonNode n = root.get(field);
            if (n != null && !n.isNull()) {
                if (!n.canConvertToInt() || n.asInt() < 1) throw new BadRequest("'" + field + "' must be a positive integer.", field);
                maxTokens = n.asInt();
                break;
            }
        }
        boolean stream = root.path("stream").asBoolean(false);
        boolean includeUsage = root.path("stream_options").path("include_usage").asBoolean(false);
        return new ChatRequest(model.asText(), rendered.toString(), PromptTokenizer.countMessages(contents), maxTokens, stream, includeUsage);
    }

    private static String contentText(JsonNode content, int index) throws BadRequest {
        if (content == null || content.isNull()) return "";
        if (content.isTextual()) return content.asText();
        if (content.isArray()) {
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : content) sb.append(part.path("text").asText(""));
            return sb.toString();
        }
        throw new BadRequest("messages[" + index + "].content must be a string or an array of parts.", "messages[" + index + "].content");
    }

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
