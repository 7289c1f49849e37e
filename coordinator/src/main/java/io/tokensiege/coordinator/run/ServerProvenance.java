package io.tokensiege.coordinator.run;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.common.json.Json;
import io.tokensiege.common.plan.Target;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads what a server says about itself before its first step (CONTEXT.md lesson 2: defaults can hide a
 * 10x difference, so the settings belong next to the numbers): {@code /v1/models}; llama.cpp
 * {@code /props}; Ollama {@code /api/version} and {@code /api/ps}; vLLM {@code /version} and the config
 * lines of {@code /metrics}; the simulator's {@code /sim/profile}. Anything that fails is recorded as
 * "not exposed", never fatal. The API key is sent, never stored.
 */
public final class ServerProvenance {
    private static final Duration TIMEOUT = Duration.ofSeconds(3);
    private static final int MAX_TEXT = 4096;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(TIMEOUT).version(HttpClient.Version.HTTP_1_1).build();

    private ServerProvenance() {}

    public static Map<String, Object> read(Target target) {
        String base = target.url().replaceAll("/+$", "");
        String root = base.replaceFirst("/v1$", "");
        String key = target.apiKeyEnv() == null ? null : System.getenv(target.apiKeyEnv());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("models", get(base + "/models", key));
        out.put("llama_cpp_props", get(root + "/props", key));
        out.put("ollama_version", get(root + "/api/version", key));
        out.put("ollama_ps", get(root + "/api/ps", key));
        out.put("ollama_show", post(root + "/api/show", "{\"model\":" + Json.write(target.model()) + "}", key));
        out.put("vllm_version", get(root + "/version", key));
        out.put("vllm_metrics_config", metricsConfig(get(root + "/metrics", key)));
        if (target.isSimulated()) out.put("simulator_profile", get(root + "/sim/profile", key));
        return out;
    }

    private static Object get(String url, String key) {
        return fetch(HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).GET(), key);
    }

    private static Object post(String url, String json, String key) {
        return fetch(HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)), key);
    }

    private static Object fetch(HttpRequest.Builder b, String key) {
        try {
            if (key != null) b.header("authorization", "Bearer " + key);
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) return "not exposed (HTTP " + r.statusCode() + ")";
            String body = r.body();
            try {
                JsonNode json = Json.MAPPER.readTree(body);
                if (json != null && (json.isObject() || json.isArray())) return json;
            } catch (Exception notJson) {
                // plain text (e.g. Prometheus metrics): kept as text below
            }
            return body.length() > MAX_TEXT ? body.substring(0, MAX_TEXT) + "..." : body;
        } catch (Exception e) {
            return "not exposed (" + e.getClass().getSimpleName() + ")";
        }
    }

    /** Keeps the configuration lines of a Prometheus /metrics page (vLLM's cache_config_info, max_num_seqs). */
    private static Object metricsConfig(Object metrics) {
        if (!(metrics instanceof String text) || text.startsWith("not exposed")) return metrics;
        String config = text.lines().filter(l -> !l.startsWith("#") && (l.contains("config_info") || l.contains("max_num_seqs")))
                .collect(Collectors.joining("\n"));
        return config.isEmpty() ? "exposed, no configuration lines" : config;
    }
}
