package io.tokensiege.simulator.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * The parts of an OpenAI chat-completions request body the simulator honours, validated, with the
 * prompt rendered and counted by the server's template and tokenizer.
 *
 * @param prompt       the messages and tools as the server's template sees them (tools dropped by a server that ignores them)
 * @param promptText   what the prefix cache matches (the rendered template)
 * @param promptTokens the prompt as the server counts it, after any truncation
 * @param requestedPromptTokens the prompt as sent, before any truncation
 */
record ChatRequest(String model, ChatPrompt prompt, String promptText, int promptTokens, int requestedPromptTokens,
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

    static ChatRequest parse(byte[] body, ServerHabits habits) throws BadRequest {
        JsonNode root = parseObject(body);
        JsonNode model = root.get("model");
        if (model == null || !model.isTextual()) throw new BadRequest("'model' is required and must be a string.", "model");
        ChatPrompt prompt = habits.prompt(root);
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
        int promptTokens = habits.countTokens(prompt);
        return new ChatRequest(model.asText(), prompt, habits.render(prompt), promptTokens, promptTokens, maxTokens, stream, includeUsage);
    }

    /** The same request with a shorter prompt (a server that truncates instead of refusing). */
    ChatRequest withPrompt(String text, int tokens) {
        return new ChatRequest(model, prompt, text, tokens, requestedPromptTokens, maxTokens, stream, includeUsage);
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

    private static String firstLine(String s) {
        if (s == null) return "";
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
