package io.tokensiege.coordinator.server;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Optional;

/**
 * How many tokens one request may hold on a target, when the server says so: llama.cpp's per-slot
 * {@code n_ctx} ({@code /props}), vLLM's {@code max_model_len} ({@code /v1/models}), Ollama's loaded
 * {@code context_length} ({@code /api/ps}; Ollama silently truncates longer prompts, which would make every
 * number a lie). Read from what {@link ServerProvenance} collected.
 *
 * @param tokens   prompt plus generated tokens one request may use
 * @param source   where the figure came from, for the message
 * @param truncates true when the server cuts a longer prompt instead of refusing it
 */
public record ContextWindow(int tokens, String source, boolean truncates) {

    public static Optional<ContextWindow> of(String model, Map<String, Object> provenance) {
        if (provenance.get("llama_cpp_props") instanceof JsonNode props) {
            JsonNode n = props.path("default_generation_settings").path("n_ctx");
            if (!n.canConvertToInt()) n = props.path("n_ctx");
            if (n.canConvertToInt() && n.asInt() > 0) return Optional.of(new ContextWindow(n.asInt(), "llama.cpp /props n_ctx (per slot)", false));
        }
        if (provenance.get("models") instanceof JsonNode models) {
            for (JsonNode m : models.path("data")) {
                if (model != null && model.equals(m.path("id").asText()) && m.path("max_model_len").canConvertToInt()) {
                    return Optional.of(new ContextWindow(m.get("max_model_len").asInt(), "/v1/models max_model_len", false));
                }
            }
        }
        if (provenance.get("ollama_ps") instanceof JsonNode ps) {
            for (JsonNode m : ps.path("models")) {
                boolean same = model != null && (model.equals(m.path("name").asText()) || model.equals(m.path("model").asText()));
                if (same && m.path("context_length").canConvertToInt() && m.get("context_length").asInt() > 0) {
                    return Optional.of(new ContextWindow(m.get("context_length").asInt(), "Ollama /api/ps context_length", true));
                }
            }
        }
        return Optional.empty();
    }
}
