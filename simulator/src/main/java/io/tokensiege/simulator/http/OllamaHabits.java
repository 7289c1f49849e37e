package io.tokensiege.simulator.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Map;

/**
 * Ollama behind its OpenAI-compatible endpoint: keep-alive kept, reasoning in {@code delta.reasoning}
 * with {@code content: ""}, /api/version, /api/ps and /api/show, and no context error: a prompt longer
 * than the context is silently truncated, as Ollama's runner does ("truncating input prompt ... keep=4"):
 * it keeps the first 4 tokens and the most recent rest, and usage reports the truncated count.
 */
final class OllamaHabits extends ServerHabits {
    static final String VERSION = "0.12.0-sim";
    /** Ollama's default num_keep: tokens kept from the start of a truncated prompt. */
    static final int KEEP_TOKENS = 4;
    private static final long SIMULATED_SIZE_BYTES = 17_000_000_000L; // made up: the model is not real

    OllamaHabits(Facts facts) {
        super(facts);
    }

    @Override
    StreamStyle streamStyle() {
        return new StreamStyle(profile.reasoningField(), false, false, false, Map.of("Content-Type", "text/event-stream"));
    }

    @Override
    boolean truncatesLongPrompts() {
        return true;
    }

    @Override
    ChatRequest truncate(ChatRequest chat, int limitTokens) {
        String text = chat.promptText();
        int keepChars = Math.min(text.length(), tokenizer.bytesFor(Math.min(KEEP_TOKENS, limitTokens)));
        int tailChars = Math.min(text.length() - keepChars, tokenizer.bytesFor(limitTokens - Math.min(KEEP_TOKENS, limitTokens)));
        String kept = text.substring(0, keepChars) + text.substring(text.length() - tailChars);
        return chat.withPrompt(kept, limitTokens);
    }

    /** Ollama's answer for a model whose template has no tools section. */
    @Override
    String toolsRefusal() {
        return "registry.ollama.ai/library/" + profile.model() + " does not support tools";
    }

    @Override
    List<String> ownPaths() {
        return List.of("GET /api/version", "GET /api/ps", "POST /api/show");
    }

    @Override
    boolean route(HttpServerRequest req) {
        String path = req.path();
        if (req.method() == HttpMethod.GET && path.equals("/api/version")) json(req, 200, JSON.createObjectNode().put("version", VERSION).toString());
        else if (req.method() == HttpMethod.GET && path.equals("/api/ps")) json(req, 200, ps());
        else if (req.method() == HttpMethod.POST && path.equals("/api/show")) withJsonBody(req, body -> show(req, body));
        else return false;
        return true;
    }

    private String ps() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode m = root.putArray("models").addObject().put("name", profile.model()).put("model", profile.model())
                .put("size", SIMULATED_SIZE_BYTES).put("digest", "simulated");
        details(m.putObject("details"));
        m.put("expires_at", "2999-12-31T23:59:59Z").put("size_vram", SIMULATED_SIZE_BYTES)
                .put("context_length", profile.server().reportedContextTokens());
        return root.toString();
    }

    /** {"model"} (or the older {"name"}): Ollama's model card; an unknown model gets Ollama's 404. */
    private void show(HttpServerRequest req, JsonNode body) throws ChatRequest.BadRequest {
        String model = body.path("model").asText(body.path("name").asText(null));
        if (model == null) throw new ChatRequest.BadRequest("'model' is required.", "model");
        if (!model.equals(profile.model())) {
            json(req, 404, JSON.createObjectNode().put("error", "model '" + model + "' not found").toString());
            return;
        }
        int context = profile.server().reportedContextTokens();
        ObjectNode root = JSON.createObjectNode()
                .put("modelfile", "# SIMULATED by tokensiege\nFROM " + profile.model() + "\nPARAMETER num_ctx " + context + "\n")
                .put("parameters", "num_ctx                        " + context)
                .put("template", "{{ .Prompt }}");
        details(root.putObject("details"));
        root.putObject("model_info").put("general.architecture", "simulated").put("general.parameter_count", 0)
                .put("simulated.context_length", context);
        ArrayNode capabilities = root.putArray("capabilities").add("completion");
        if (profile.engine().reasoningTokens() > 0) capabilities.add("thinking");
        root.put("modified_at", "2000-01-01T00:00:00Z");
        json(req, 200, root.toString());
    }

    private void details(ObjectNode d) {
        d.put("parent_model", "").put("format", "gguf").put("family", "simulated");
        d.putArray("families").add("simulated");
        d.put("parameter_size", "simulated").put("quantization_level", "simulated");
    }
}
