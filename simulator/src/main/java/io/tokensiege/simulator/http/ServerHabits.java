package io.tokensiege.simulator.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokensiege.simulator.engine.ChatTemplate;
import io.tokensiege.simulator.engine.PromptTokenizer;
import io.tokensiege.simulator.profile.Profile;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The HTTP habits of the server a profile imitates (its {@code server.personality}): error bodies,
 * connection handling, context limits, extra endpoints. This base class is the plain OpenAI-compatible
 * server; each personality overrides what its real server does differently.
 */
abstract class ServerHabits {
    static final ObjectMapper JSON = new ObjectMapper();

    protected final Profile profile;
    protected final PromptTokenizer tokenizer;
    protected final ServedCounters served;
    protected final LongSupplier iterations;

    /** Collaborators every personality may use to answer. */
    record Facts(Profile profile, PromptTokenizer tokenizer, ServedCounters served, LongSupplier iterations) {}

    protected ServerHabits(Facts facts) {
        this.profile = facts.profile();
        this.tokenizer = facts.tokenizer();
        this.served = facts.served();
        this.iterations = facts.iterations();
    }

    static ServerHabits of(Facts facts) {
        return switch (facts.profile().server().personality()) {
            case OPENAI -> new OpenAiHabits(facts);
            case LLAMA_CPP -> new LlamaCppHabits(facts);
            case VLLM -> new VllmHabits(facts);
            case OLLAMA -> new OllamaHabits(facts);
        };
    }

    /** How chat messages become a prompt and are counted. */
    ChatTemplate template() {
        return new ChatTemplate.OpenAiFraming();
    }

    /**
     * The messages and tools of a chat request (or of /apply-template, /tokenize) as this server's template
     * sees them: a server that ignores tools drops them, one that rejects them refuses the request.
     */
    ChatPrompt prompt(JsonNode root) throws ChatRequest.BadRequest {
        ChatPrompt prompt = ChatPrompt.parse(root);
        if (prompt.tools().isEmpty()) return prompt;
        return switch (profile.tools().support()) {
            case NATIVE -> prompt;
            case IGNORE -> prompt.withoutTools();
            case REJECT -> throw new ChatRequest.BadRequest(toolsRefusal(), "tools");
        };
    }

    String render(ChatPrompt prompt) {
        return template().render(prompt.messages(), prompt.tools());
    }

    int countTokens(ChatPrompt prompt) {
        return template().countTokens(prompt.messages(), prompt.tools(), tokenizer);
    }

    /** The 400 message of a server without tool support (profile {@code tools.support: reject}). */
    String toolsRefusal() {
        return "This server does not support tools: the request offers 'tools', which this model cannot call (simulated; tools.support: reject).";
    }

    StreamStyle streamStyle() {
        return new StreamStyle(profile.reasoningField(), false, false, false,
                Map.of("content-type", "text/event-stream", "cache-control", "no-cache"));
    }

    /** Headers every response carries, set before its handler runs. */
    void everyResponse(HttpServerRequest req) {}

    /** Whether a chat request naming a model other than the profile's is refused (llama.cpp serves whatever it loaded). */
    boolean refusesOtherModels() {
        return true;
    }

    /** Answers with an error body in this server's format. */
    void error(HttpServerRequest req, int status, String message, String type, String param, String code) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode err = root.putObject("error").put("message", message).put("type", type);
        if (param != null) err.put("param", param); else err.putNull("param");
        if (code != null) err.put("code", code); else err.putNull("code");
        json(req, status, root.toString());
    }

    /** Serves an over-long prompt truncated (true) or refuses it with {@link #refuseContext} (false). */
    boolean truncatesLongPrompts() {
        return false;
    }

    /** The request cut to {@code limitTokens}; only for servers that truncate. */
    ChatRequest truncate(ChatRequest chat, int limitTokens) {
        throw new UnsupportedOperationException(profile.server().personality().label() + " refuses long prompts");
    }

    void refuseContext(HttpServerRequest req, int promptTokens, int limitTokens) {
        error(req, 400, "This model's maximum context length is " + limitTokens + " tokens. However, your messages resulted in "
                + promptTokens + " tokens. Please reduce the length of the messages.", "invalid_request_error", "messages", "context_length_exceeded");
    }

    /** Adds this server's fields to its {@code /v1/models} entry. */
    void describeModel(ObjectNode entry) {}

    /** Answers this server's own endpoints; false when {@code req} is not one of them. */
    boolean route(HttpServerRequest req) {
        return false;
    }

    /** This server's own endpoints, for the 404 message. */
    List<String> ownPaths() {
        return List.of();
    }

    protected void json(HttpServerRequest req, int status, String body) {
        req.response().setStatusCode(status).putHeader("content-type", "application/json").end(body);
    }

    /** Reads a JSON object body and hands it on; a body that is not one gets a 400 in this server's format. */
    protected void withJsonBody(HttpServerRequest req, JsonBodyHandler handler) {
        req.body().onSuccess(buffer -> {
            try {
                handler.handle(ChatRequest.parseObject(buffer.getBytes()));
            } catch (ChatRequest.BadRequest e) {
                error(req, 400, e.getMessage(), "invalid_request_error", e.param, null);
            }
        });
    }

    @FunctionalInterface
    interface JsonBodyHandler {
        void handle(JsonNode body) throws ChatRequest.BadRequest;
    }

    /** Plain OpenAI habits: the base class as it is. */
    static final class OpenAiHabits extends ServerHabits {
        OpenAiHabits(Facts facts) {
            super(facts);
        }
    }
}
