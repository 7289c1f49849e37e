package io.tokensiege.coordinator.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.common.json.Json;
import io.tokensiege.common.plan.Target;
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
        out.put("models", shown(models));
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
        if (r.body().length() > MAX_JSON_CHARS) {
            return r.body().substring(0, MAX_TEXT) + "... (cut: " + r.body().length() + " characters, more than the " + (MAX_JSON_CHARS >> 10) + " KB kept)";
        }
        try {
            JsonNode json = Json.MAPPER.readTree(r.body());
            if (json != null && (json.isObject() || json.isArray())) return json;
        } catch (Exception notJson) {
            // plain text (e.g. Prometheus metrics): kept as text below
        }
        String body = r.body();
        return body.length() > MAX_TEXT ? body.substring(0, MAX_TEXT) + "..." : body;
    }

    /** Keeps the configuration lines of a Prometheus /metrics page (vLLM's cache_config_info, max_num_seqs), from the whole page. */
    private static Object metricsConfig(ServerHttp.Reply metrics) {
        if (!metrics.ok()) return shown(metrics);
        String config = metrics.body().lines().filter(l -> !l.startsWith("#") && (l.contains("config_info") || l.contains("max_num_seqs")))
                .limit(50).collect(Collectors.joining("\n"));
        return config.isEmpty() ? "exposed, no configuration lines" : config.length() > MAX_TEXT ? config.substring(0, MAX_TEXT) + "..." : config;
    }
}
