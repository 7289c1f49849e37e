package io.tokensiege.coordinator.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.common.json.Json;
import io.tokensiege.common.plan.Target;
import io.tokensiege.common.security.Printable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads what a server says about itself before its first step (defaults can hide a 10x difference, so the
 * settings belong next to the numbers): {@code /v1/models}; llama.cpp {@code /props}; Ollama {@code /api/version},
 * {@code /api/ps} and {@code /api/show}; vLLM {@code /version} and the config lines of {@code /metrics}; the
 * simulator's {@code /sim/profile}. Anything that fails is recorded as "not exposed", never fatal; a target that does not
 * answer the first question at all is not asked the rest (each would wait out the same timeout).
 */
public final class ServerProvenance {
    private static final int MAX_TEXT = 4096;
    /**
     * Larger answers are kept as cut text, not as a tree: a tree of a few MB of tiny arrays takes hundreds of MB of heap,
     * and run.json and the report would carry it whole. Real ones are far smaller (llama.cpp /props with its chat
     * template, Ollama /api/show with its license: tens of KB).
     */
    static final int MAX_JSON_CHARS = 256 << 10;

    private ServerProvenance() {}

    /** Under this key when the target did not answer its first question: the others are not asked (each would wait as long). */
    public static final String UNANSWERED = "unanswered";

    public static Map<String, Object> read(Target target) {
        ServerHttp http = new ServerHttp(target);
        Map<String, Object> out = new LinkedHashMap<>();
        ServerHttp.Reply models = http.getBase("/models");
        out.put("models", shownModels(models, target.model()));
        if (models.unanswered()) {
            out.put(UNANSWERED, "GET " + target.url().replaceAll("/+$", "") + "/models: " + models.body() + "; no other question was asked");
            return out;
        }
        // A server silent to one question is not asked the rest: each would wait out the same 5 s.
        Questions ask = new Questions(http);
        out.put("llama_cpp_props", ask.get("/props", ServerProvenance::shown));
        out.put("ollama_version", ask.get("/api/version", ServerProvenance::shown));
        out.put("ollama_ps", ask.get("/api/ps", ServerProvenance::shown));
        out.put("ollama_show", ask.post("/api/show", "{\"model\":" + Json.write(target.model()) + "}"));
        out.put("vllm_version", ask.get("/version", ServerProvenance::shown));
        out.put("vllm_metrics_config", ask.get("/metrics", ServerProvenance::metricsConfig));
        if (target.isSimulated()) out.put("simulator_profile", ask.get("/sim/profile", ServerProvenance::shown));
        return out;
    }

    /** The questions after the first, until one meets silence. */
    private static final class Questions {
        private final ServerHttp http;
        private String silentOn;

        Questions(ServerHttp http) {
            this.http = http;
        }

        Object get(String path, java.util.function.Function<ServerHttp.Reply, Object> shown) {
            return answer(path, () -> http.get(path), shown);
        }

        Object post(String path, String json) {
            return answer(path, () -> http.post(path, json), ServerProvenance::shown);
        }

        private Object answer(String path, java.util.function.Supplier<ServerHttp.Reply> question, java.util.function.Function<ServerHttp.Reply, Object> shown) {
            if (silentOn != null) return "not asked: the server was silent to " + silentOn;
            ServerHttp.Reply r = question.get();
            if (r.silent()) silentOn = path;
            return shown.apply(r);
        }
    }

    /** The parallel slots the server reported (llama.cpp {@code /props total_slots}), or null when it did not say. */
    public static Integer slots(Map<String, Object> provenance) {
        if (!(provenance.get("llama_cpp_props") instanceof JsonNode props)) return null;
        JsonNode n = props.path("total_slots");
        return n.canConvertToInt() && n.asInt() > 0 ? n.asInt() : null;
    }

    /** JSON as a tree, text bounded, a failure as "not exposed (...)". */
    static Object shown(ServerHttp.Reply r) {
        if (r.status() == 0) return "not exposed (" + r.body() + ")";
        if (!r.ok()) return "not exposed (HTTP " + r.status() + ")";
        if (r.body().length() > MAX_JSON_CHARS) return cut(r.body());
        JsonNode json = tree(r.body());
        if (json != null) return json;
        String body = r.body(); // plain text (e.g. Prometheus metrics)
        return Printable.keepingLines(body.length() > MAX_TEXT ? body.substring(0, MAX_TEXT) + "..." : body);
    }

    /**
     * A model list too long to keep (a gateway listing hundreds): only the target's own entry, which holds what is read
     * from it (max_model_len), and how many there were.
     */
    static Object shownModels(ServerHttp.Reply r, String model) {
        if (!r.ok() || r.body().length() <= MAX_JSON_CHARS) return shown(r);
        JsonNode all = parsed(r.body()); // at most ServerHttp.MAX_BODY_BYTES, parsed once and dropped
        if (all == null || !all.path("data").isArray()) return cut(r.body());
        var kept = Json.MAPPER.createObjectNode();
        var data = kept.putArray("data");
        for (JsonNode m : all.path("data")) if (model != null && model.equals(m.path("id").asText())) data.add(printable(m));
        kept.put("listed", all.path("data").size()).put("kept", "only this target's model: the list is longer than " + (MAX_JSON_CHARS >> 10) + " KB");
        return kept;
    }

    private static String cut(String body) {
        return Printable.keepingLines(body.substring(0, MAX_TEXT)) + "... (cut: " + body.length() + " characters, more than the "
                + (MAX_JSON_CHARS >> 10) + " KB kept)";
    }

    /** JSON as a tree whose every text is printable, or null when the body is no JSON object or array. */
    private static JsonNode tree(String body) {
        JsonNode json = parsed(body);
        return json == null ? null : printable(json);
    }

    /** JSON as a tree as the server wrote it, or null when the body is no JSON object or array. */
    private static JsonNode parsed(String body) {
        try {
            JsonNode json = Json.MAPPER.readTree(body);
            return json != null && (json.isObject() || json.isArray()) ? json : null;
        } catch (Exception notJson) {
            return null;
        }
    }

    /** The tree with control characters in its texts and names shown as \\uXXXX: a template or a model name goes to the console too. */
    private static JsonNode printable(JsonNode n) {
        if (n.isTextual()) return com.fasterxml.jackson.databind.node.TextNode.valueOf(Printable.keepingLines(n.asText()));
        if (n.isArray()) {
            var out = Json.MAPPER.createArrayNode();
            n.forEach(item -> out.add(printable(item)));
            return out;
        }
        if (n.isObject()) {
            var out = Json.MAPPER.createObjectNode();
            n.fields().forEachRemaining(f -> out.set(Printable.of(f.getKey()), printable(f.getValue())));
            return out;
        }
        return n;
    }

    /** Keeps the configuration lines of a Prometheus /metrics page (vLLM's cache_config_info, max_num_seqs), from the whole page. */
    private static Object metricsConfig(ServerHttp.Reply metrics) {
        if (!metrics.ok()) return shown(metrics);
        String config = metrics.body().lines().filter(l -> !l.startsWith("#") && (l.contains("config_info") || l.contains("max_num_seqs")))
                .limit(50).collect(Collectors.joining("\n"));
        return config.isEmpty() ? "exposed, no configuration lines" : Printable.keepingLines(config.length() > MAX_TEXT ? config.substring(0, MAX_TEXT) + "..." : config);
    }
}
