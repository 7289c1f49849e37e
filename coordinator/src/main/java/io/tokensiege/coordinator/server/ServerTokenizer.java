package io.tokensiege.coordinator.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokensiege.common.chat.ChatMessage;
import io.tokensiege.common.json.Json;
import io.tokensiege.common.plan.Target;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A target's own tokenizer, where it exposes one: llama.cpp ({@code POST /tokenize {"content"}}, with
 * {@code /apply-template} for a chat request's exact count) or vLLM and SGLang ({@code POST /tokenize} with
 * {@code prompt} or {@code messages}, answering {@code count}). Prompt sizes are then the server's own tokens,
 * not a guess at 4 characters per token (a Llama tokenizer counts 21 % fewer on English-like text).
 */
public interface ServerTokenizer {
    /** Tokens of plain text, without special tokens. */
    OptionalInt countText(String text);

    /** Tokens of a chat request with these messages, as the server counts its prompt (template and BOS included). */
    OptionalInt countMessages(List<ChatMessage> messages);

    /** Which endpoint answered, for the report. */
    String source();

    /** The tokenizer the target answers to, probed with one tiny request each; empty when it exposes none. */
    static Optional<ServerTokenizer> detect(Target target) {
        ServerHttp http = new ServerHttp(target);
        LlamaCpp llama = new LlamaCpp(http);
        if (llama.countText("hello world").isPresent() && llama.countMessages(List.of(new ChatMessage("user", "hello"))).isPresent()) {
            return Optional.of(llama);
        }
        OpenAiStyle vllm = new OpenAiStyle(http, target.model());
        if (vllm.countText("hello world").isPresent()) return Optional.of(vllm);
        return Optional.empty();
    }

    private static ArrayNode messagesJson(List<ChatMessage> messages) {
        ArrayNode array = Json.MAPPER.createArrayNode();
        for (ChatMessage m : messages) array.addObject().put("role", m.role()).put("content", m.content());
        return array;
    }

    private static JsonNode json(ServerHttp.Reply r) {
        if (!r.ok()) return null;
        try {
            return Json.MAPPER.readTree(r.body());
        } catch (Exception e) {
            return null;
        }
    }

    /** llama.cpp: /tokenize and /apply-template. */
    final class LlamaCpp implements ServerTokenizer {
        private final ServerHttp http;

        LlamaCpp(ServerHttp http) {
            this.http = http;
        }

        @Override
        public OptionalInt countText(String text) {
            return tokens(text, false);
        }

        @Override
        public OptionalInt countMessages(List<ChatMessage> messages) {
            ObjectNode body = Json.MAPPER.createObjectNode();
            body.set("messages", messagesJson(messages));
            JsonNode templated = json(http.post("/apply-template", body.toString()));
            if (templated == null || !templated.path("prompt").isTextual()) return OptionalInt.empty();
            return tokens(templated.get("prompt").asText(), true); // the BOS the server adds to every prompt
        }

        private OptionalInt tokens(String text, boolean special) {
            ObjectNode body = Json.MAPPER.createObjectNode().put("content", text).put("add_special", special);
            JsonNode r = json(http.post("/tokenize", body.toString()));
            return r != null && r.path("tokens").isArray() ? OptionalInt.of(r.get("tokens").size()) : OptionalInt.empty();
        }

        @Override
        public String source() {
            return "llama.cpp /tokenize";
        }
    }

    /** vLLM and SGLang: /tokenize answering {"count": N}. */
    final class OpenAiStyle implements ServerTokenizer {
        private final ServerHttp http;
        private final String model;

        OpenAiStyle(ServerHttp http, String model) {
            this.http = http;
            this.model = model;
        }

        @Override
        public OptionalInt countText(String text) {
            return count(Json.MAPPER.createObjectNode().put("model", model).put("prompt", text).put("add_special_tokens", false));
        }

        @Override
        public OptionalInt countMessages(List<ChatMessage> messages) {
            ObjectNode body = Json.MAPPER.createObjectNode().put("model", model);
            body.set("messages", messagesJson(messages));
            return count(body);
        }

        private OptionalInt count(ObjectNode body) {
            JsonNode r = json(http.post("/tokenize", body.toString()));
            return r != null && r.path("count").canConvertToInt() ? OptionalInt.of(r.get("count").asInt()) : OptionalInt.empty();
        }

        @Override
        public String source() {
            return "/tokenize";
        }
    }
}
