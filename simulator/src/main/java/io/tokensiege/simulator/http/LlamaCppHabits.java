package io.tokensiege.simulator.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokensiege.simulator.engine.ChatTemplate;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Map;

/**
 * llama.cpp's llama-server (modelled on build b10108): {@code Keep-Alive: timeout=5, max=100} on every
 * good answer, yet the TCP connection is closed right after each streamed response, and every error
 * comes with {@code Connection: close}. Its usage chunk and non-streamed body carry {@code timings};
 * it serves /health, /props, /tokenize, /apply-template and /metrics, refuses a prompt longer than a
 * slot's context with 400 {@code exceed_context_size_error}, and ignores the request's model name.
 */
final class LlamaCppHabits extends ServerHabits {
    static final String KEEP_ALIVE = "timeout=5, max=100";
    static final String BUILD_INFO = "b10108-sim (tokensiege simulator)";
    private static final String JSON_TYPE = "application/json; charset=utf-8";
    /** What ChatTemplate.ChatMl renders, as llama.cpp shows a model's template in /props (Qwen2.5's tool sections). */
    private static final String CHAT_TEMPLATE_JINJA = String.join("\n",
            "{%- if tools -%}",
            "  {{- '<|im_start|>system\\n' -}}",
            "  {%- if messages[0].role == 'system' -%}{{- messages[0].content + '\\n\\n' -}}{%- endif -%}",
            "  {{- '# Tools\\n\\nYou may call one or more functions to assist with the user query.\\n\\nYou are provided with function signatures "
                    + "within <tools></tools> XML tags:\\n<tools>' -}}",
            "  {%- for tool in tools -%}{{- '\\n' + tool | tojson -}}{%- endfor -%}",
            "  {{- '\\n</tools>\\n\\nFor each function call, return a json object with function name and arguments within "
                    + "<tool_call></tool_call> XML tags:\\n<tool_call>\\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\\n</tool_call><|im_end|>\\n' -}}",
            "{%- endif -%}",
            "{%- for message in messages -%}",
            "  {%- if message.role == 'tool' -%}",
            "    {%- if loop.first or loop.previtem.role != 'tool' -%}{{- '<|im_start|>user' -}}{%- endif -%}",
            "    {{- '\\n<tool_response>\\n' + message.content + '\\n</tool_response>' -}}",
            "    {%- if loop.last or loop.nextitem.role != 'tool' -%}{{- '<|im_end|>\\n' -}}{%- endif -%}",
            "  {%- elif not (tools and loop.first and message.role == 'system') -%}",
            "    {{- '<|im_start|>' + message.role + '\\n' + (message.content or '') -}}",
            "    {%- for call in message.tool_calls or [] -%}",
            "      {%- if message.content or not loop.first -%}{{- '\\n' -}}{%- endif -%}",
            "      {{- '<tool_call>\\n{\"name\": \"' + call.function.name + '\", \"arguments\": ' + call.function.arguments + '}\\n</tool_call>' -}}",
            "    {%- endfor -%}",
            "    {{- '<|im_end|>\\n' -}}",
            "  {%- endif -%}",
            "{%- endfor -%}",
            "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}");

    LlamaCppHabits(Facts facts) {
        super(facts);
    }

    @Override
    ChatTemplate template() {
        return new ChatTemplate.ChatMl();
    }

    @Override
    StreamStyle streamStyle() {
        return new StreamStyle(profile.reasoningField(), true, true, true,
                Map.of("Content-Type", "text/event-stream", "X-Accel-Buffering", "no"));
    }

    @Override
    void everyResponse(HttpServerRequest req) {
        req.response().putHeader("Server", "llama.cpp").putHeader("Keep-Alive", KEEP_ALIVE);
    }

    @Override
    boolean refusesOtherModels() {
        return false;
    }

    @Override
    void error(HttpServerRequest req, int status, String message, String type, String param, String code) {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("error").put("code", status).put("message", message).put("type", status == 404 ? "not_found_error" : type);
        closeAfter(req, status, root.toString());
    }

    @Override
    void refuseContext(HttpServerRequest req, int promptTokens, int limitTokens) {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("error").put("code", 400)
                .put("message", "request (" + promptTokens + " tokens) exceeds the available context size (" + limitTokens + " tokens), try increasing it")
                .put("type", "exceed_context_size_error").put("n_prompt_tokens", promptTokens).put("n_ctx", limitTokens);
        closeAfter(req, 400, root.toString());
    }

    /** llama.cpp answers every error with Connection: close, then closes. */
    private static void closeAfter(HttpServerRequest req, int status, String body) {
        req.response().setStatusCode(status).putHeader("Connection", "close").putHeader("Content-Type", JSON_TYPE);
        req.response().headers().remove("Keep-Alive");
        req.response().end(body).onComplete(done -> req.connection().close());
    }

    @Override
    protected void json(HttpServerRequest req, int status, String body) {
        req.response().setStatusCode(status).putHeader("Content-Type", JSON_TYPE).end(body);
    }

    /** llama.cpp's /v1/models entry tells the slot context in {@code meta}, as the real one does. */
    @Override
    void describeModel(ObjectNode entry) {
        entry.putObject("meta").put("n_vocab", 32_000).put("n_ctx", profile.server().reportedContextTokens())
                .put("n_ctx_train", profile.server().reportedContextTokens());
    }

    @Override
    List<String> ownPaths() {
        return List.of("GET /health", "GET /props", "GET /metrics", "POST /tokenize", "POST /apply-template");
    }

    @Override
    boolean route(HttpServerRequest req) {
        String path = req.path();
        if (req.method() == HttpMethod.GET && path.equals("/health")) json(req, 200, "{\"status\":\"ok\"}");
        else if (req.method() == HttpMethod.GET && path.equals("/props")) json(req, 200, props());
        else if (req.method() == HttpMethod.GET && path.equals("/metrics")) {
            req.response().putHeader("Content-Type", PrometheusText.CONTENT_TYPE).end(metrics());
        } else if (req.method() == HttpMethod.POST && path.equals("/tokenize")) withJsonBody(req, body -> tokenize(req, body));
        else if (req.method() == HttpMethod.POST && path.equals("/apply-template")) withJsonBody(req, body -> applyTemplate(req, body));
        else return false;
        return true;
    }

    private String props() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode settings = root.putObject("default_generation_settings");
        settings.putObject("params").put("n_predict", -1).put("stream", false);
        settings.put("n_ctx", profile.server().reportedContextTokens());
        root.put("total_slots", profile.engine().slots()).put("model_alias", profile.model())
                .put("model_path", "/simulated/" + profile.model() + ".gguf").put("chat_template", CHAT_TEMPLATE_JINJA)
                .put("bos_token", "<s>").put("eos_token", "</s>").put("build_info", BUILD_INFO).put("simulated", true);
        return root.toString();
    }

    /** {"content": text}: as many made-up ids as the simulated tokenizer counts ({@code with_pieces} is ignored). */
    private void tokenize(HttpServerRequest req, JsonNode body) throws ChatRequest.BadRequest {
        JsonNode content = body.get("content");
        if (content == null || !content.isTextual()) throw new ChatRequest.BadRequest("'content' is required and must be a string.", "content");
        ObjectNode root = JSON.createObjectNode();
        ArrayNode tokens = root.putArray("tokens");
        for (int id : tokenizer.ids(content.asText())) tokens.add(id);
        json(req, 200, root.toString());
    }

    /** {"messages": [...], "tools": [...]}: the ChatML prompt a chat request with them is counted as. */
    private void applyTemplate(HttpServerRequest req, JsonNode body) throws ChatRequest.BadRequest {
        json(req, 200, JSON.createObjectNode().put("prompt", render(prompt(body))).toString());
    }

    /** llama.cpp started without --jinja refuses tools with this message. */
    @Override
    String toolsRefusal() {
        return "tools param requires --jinja flag";
    }

    /** llama.cpp's --metrics: its counter names and help texts; times in simulated seconds. */
    private String metrics() {
        return new PrometheusText("")
                .counter("llamacpp:prompt_tokens_total", "Number of prompt tokens processed.", served.promptTokensComputed.sum())
                .counter("llamacpp:prompt_seconds_total", "Prompt process time", served.promptSimNanos.sum() / 1e9)
                .counter("llamacpp:tokens_predicted_total", "Number of generation tokens processed.", served.predictedTokens.sum())
                .counter("llamacpp:tokens_predicted_seconds_total", "Predict process time", served.predictedSimNanos.sum() / 1e9)
                .counter("llamacpp:n_decode_total", "Total number of llama_decode() calls", iterations.getAsLong())
                .gauge("llamacpp:requests_processing", "Number of requests processing.", served.running.get())
                .gauge("llamacpp:requests_deferred", "Number of requests deferred.", served.waiting.get())
                .toString();
    }
}
