package io.tokensiege.simulator.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokensiege.simulator.engine.ChatTemplate;
import io.tokensiege.simulator.engine.EngineConfig;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.Map;

/**
 * vLLM's OpenAI-compatible server (uvicorn): keep-alive kept, reasoning in {@code reasoning_content},
 * {@code max_model_len} in /v1/models, /tokenize, /version, /health and /metrics with vllm:* names,
 * errors as {@code {"object":"error", ...}}, and a 400 {@code BadRequestError} for a prompt longer
 * than max_model_len.
 */
final class VllmHabits extends ServerHabits {
    static final String VERSION = "0.11.0-sim";

    VllmHabits(Facts facts) {
        super(facts);
    }

    @Override
    ChatTemplate template() {
        return new ChatTemplate.ChatMl();
    }

    @Override
    StreamStyle streamStyle() {
        return new StreamStyle(profile.reasoningField(), false, false, false, Map.of("content-type", "text/event-stream; charset=utf-8"));
    }

    @Override
    void everyResponse(HttpServerRequest req) {
        req.response().putHeader("server", "uvicorn");
    }

    @Override
    void error(HttpServerRequest req, int status, String message, String type, String param, String code) {
        ObjectNode root = JSON.createObjectNode().put("object", "error").put("message", message).put("type", typeOf(status));
        if (param != null) root.put("param", param); else root.putNull("param");
        json(req, status, root.put("code", status).toString());
    }

    private static String typeOf(int status) {
        return switch (status) {
            case 400 -> "BadRequestError";
            case 404 -> "NotFoundError";
            case 429 -> "TooManyRequestsError";
            default -> "InternalServerError";
        };
    }

    @Override
    void refuseContext(HttpServerRequest req, int promptTokens, int limitTokens) {
        error(req, 400, "This model's maximum context length is " + limitTokens + " tokens. However, you requested " + promptTokens
                + " tokens in the messages, Please reduce the length of the messages.", null, null, null);
    }

    /** vLLM started without a tool-call parser refuses tools with this message. */
    @Override
    String toolsRefusal() {
        return "\"auto\" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set";
    }

    @Override
    void describeModel(ObjectNode entry) {
        entry.put("root", profile.model()).putNull("parent").put("max_model_len", profile.server().reportedContextTokens());
    }

    @Override
    List<String> ownPaths() {
        return List.of("GET /health", "GET /version", "GET /metrics", "POST /tokenize");
    }

    @Override
    boolean route(HttpServerRequest req) {
        String path = req.path();
        if (req.method() == HttpMethod.GET && path.equals("/health")) req.response().end();
        else if (req.method() == HttpMethod.GET && path.equals("/version")) json(req, 200, JSON.createObjectNode().put("version", VERSION).toString());
        else if (req.method() == HttpMethod.GET && path.equals("/metrics")) {
            req.response().putHeader("content-type", PrometheusText.CONTENT_TYPE + "; charset=utf-8").end(metrics());
        } else if (req.method() == HttpMethod.POST && path.equals("/tokenize")) withJsonBody(req, body -> tokenize(req, body));
        else return false;
        return true;
    }

    /** {"model", "prompt"} or {"model", "messages", "tools"} (counted with the chat template, as a chat request is). */
    private void tokenize(HttpServerRequest req, JsonNode body) throws ChatRequest.BadRequest {
        JsonNode prompt = body.get("prompt");
        String text;
        if (prompt != null && prompt.isTextual()) text = prompt.asText();
        else if (body.has("messages")) text = render(prompt(body));
        else throw new ChatRequest.BadRequest("Either 'prompt' (a string) or 'messages' is required.", "prompt");
        int[] ids = tokenizer.ids(text);
        ObjectNode root = JSON.createObjectNode().put("count", ids.length).put("max_model_len", profile.server().reportedContextTokens());
        ArrayNode tokens = root.putArray("tokens");
        for (int id : ids) tokens.add(id);
        root.putNull("token_strs");
        json(req, 200, root.toString());
    }

    /** vLLM's metric names and help texts; labels as vLLM V1 puts them; times in simulated seconds. */
    private String metrics() {
        String labels = "engine=\"0\",model_name=\"" + PrometheusText.label(profile.model()) + "\"";
        EngineConfig e = profile.engine();
        String cacheLabels = "block_size=\"" + e.kvBlockTokens() + "\",cache_dtype=\"auto\",enable_prefix_caching=\""
                + (e.prefixCacheTokens() > 0 ? "True" : "False") + "\",num_gpu_blocks=\"" + (e.kvInitialBlocks() > 0 ? e.kvInitialBlocks() : "None") + "\"";
        return new PrometheusText(labels)
                .gauge("vllm:num_requests_running", "Number of requests in model execution batches.", served.running.get())
                .gauge("vllm:num_requests_waiting", "Number of requests waiting to be processed.", served.waiting.get())
                .counter("vllm:num_preemptions_total", "Cumulative number of preemption from the engine.", served.preemptions.sum())
                .counter("vllm:prompt_tokens_total", "Number of prefill tokens processed.", served.promptTokens.sum())
                .counter("vllm:generation_tokens_total", "Number of generation tokens processed.", served.generatedTokens.sum())
                .histogram("vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.", ServedCounters.TTFT_BUCKETS_SECONDS,
                        served.ttftCumulativeCounts(), served.ttftSumSeconds(), served.ttftCount())
                .info("vllm:cache_config_info", "Information of the LLMEngine CacheConfig", cacheLabels)
                .toString();
    }
}
