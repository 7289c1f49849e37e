package io.tokensiege.simulator.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokensiege.simulator.engine.ChatMessage;
import io.tokensiege.simulator.engine.ChatTemplate;
import io.tokensiege.simulator.engine.PromptTokenizer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The parts of an OpenAI chat-completions request body the simulator honours, validated, with the
 * prompt rendered and counted by the server's template and tokenizer.
 *
 * @param promptText   what the prefix cache matches (the rendered template)
 * @param promptTokens the prompt as the server counts it, after any truncation
 * @param requestedPromptTokens the prompt as sent, before any truncation
 */
record ChatRequest(String model, List<ChatMessage> messages, String promptText, int promptTokens, int requestedPromptTokens,
                   int maxTokens, boolean stream, boolean includeUsage) {
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

    static ChatRequest parse(byte[] body, ChatTemplate template, PromptTokenizer tokenizer) throws BadRequest {
        JsonNode root = parseObject(body);
        JsonNode model = root.get("model");
        if (model == null || !model.isTextual()) throw new BadRequest("'model' is required and must be a string.", "model");
        List<ChatMessage> messages = parseMessages(root.get("messages"));
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
        int promptTokens = template.countTokens(messages, tokenizer);
        return new ChatRequest(model.asText(), messages, template.render(messages), promptTokens, promptTokens, maxTokens, stream, includeUsage);
    }

    /** The same request with a shorter prompt (a server that truncates instead of refusing). */
    ChatRequest withPrompt(String text, int tokens) {
        return new ChatRequest(model, messages, text, tokens, requestedPromptTokens, maxTokens, stream, includeUsage);
    }

    static JsonNode parseObject(byte[] body) throws BadRequest {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new BadRequest("The request body is not valid JSON: " + firstLine(e.getMessage()), null);
        }
        if (root == null || !root.isObject()) throw new BadRequest("The request body must be a JSON object.", null);
        return root;
    }

    /** A {@code messages} array as chat requests, /apply-template and vLLM's /tokenize take it. */
    static List<ChatMessage> parseMessages(JsonNode messages) throws BadRequest {
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw new BadRequest("'messages' is required and must be a non-empty array.", "messages");
        }
        List<ChatMessage> out = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String role = m.path("role").asText(null);
            if (role == null) throw new BadRequest("messages[" + i + "].role is required.", "messages[" + i + "].role");
            out.add(new ChatMessage(role, contentText(m.get("content"), i)));
        }
        return out;
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
