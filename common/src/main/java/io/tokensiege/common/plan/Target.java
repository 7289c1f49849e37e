package io.tokensiege.common.plan;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Map;

/**
 * One OpenAI-compatible server under test. Either {@code url} (a real server's base, e.g.
 * {@code http://m1max.lan:11434/v1}) or {@code simulated} (an in-process simulator the launcher
 * starts and fills {@code url} for). Secrets never live here: {@code apiKeyEnv} names a variable, whose value
 * is sent as {@code Authorization: Bearer KEY}, or as it is in the header {@code apiKeyHeader} names (gateways
 * that want {@code api-key}, {@code x-api-key}, {@code Ocp-Apim-Subscription-Key} or another scheme).
 */
public record Target(String name, String url, String model, String apiKeyEnv, String apiKeyHeader, Map<String, String> headers,
                     Map<String, Object> extraBody, Simulated simulated) {

    /** A target whose key, if any, goes as {@code Authorization: Bearer}. */
    public Target(String name, String url, String model, String apiKeyEnv, Map<String, String> headers, Map<String, Object> extraBody,
                  Simulated simulated) {
        this(name, url, model, apiKeyEnv, null, headers, extraBody, simulated);
    }

    @JsonIgnore
    public boolean isSimulated() {
        return simulated != null;
    }

    /** Factor from measured wall time to the target's own time: the simulator's speed, else 1. */
    @JsonIgnore
    public double timeScale() {
        return simulated == null ? 1.0 : simulated.speed();
    }

    public Target withEndpoint(String newUrl, String newModel) {
        return new Target(name, newUrl, newModel, apiKeyEnv, apiKeyHeader, headers, extraBody, simulated);
    }

    /** The header that carries the API key. */
    @JsonIgnore
    public String keyHeaderName() {
        return apiKeyHeader == null ? "authorization" : apiKeyHeader;
    }

    /** What {@link #keyHeaderName()} carries: {@code Bearer KEY} by default; the key as it is in a header the plan named. */
    public String keyHeaderValue(String key) {
        return apiKeyHeader == null ? "Bearer " + key : key;
    }

    /** The chat-completions URL derived from the base URL. */
    @JsonIgnore
    public String chatCompletionsUrl() {
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        return base + "/chat/completions";
    }

    /** A simulated target: which profile, how much faster than real time, and field overrides. */
    public record Simulated(String profile, double speed, Map<String, Object> set) {}
}
