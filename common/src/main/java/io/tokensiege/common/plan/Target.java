package io.tokensiege.common.plan;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Map;

/**
 * One OpenAI-compatible server under test. Either {@code url} (a real server's base, e.g.
 * {@code http://m1max.lan:11434/v1}) or {@code simulated} (an in-process simulator the launcher
 * starts and fills {@code url} for). Secrets never live here: {@code apiKeyEnv} names a variable.
 */
public record Target(String name, String url, String model, String apiKeyEnv, Map<String, String> headers,
                     Map<String, Object> extraBody, Simulated simulated) {

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
        return new Target(name, newUrl, newModel, apiKeyEnv, headers, extraBody, simulated);
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
