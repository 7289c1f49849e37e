package io.tokensiege.simulator.profile;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Which real server's HTTP habits a simulated server imitates: its error bodies, its connection
 * handling, its extra endpoints and where it streams reasoning. The engine behind it is the same.
 */
public enum Personality {
    /** Today's plain OpenAI-compatible server; reasoning goes where {@code engine.reasoning_field} says. */
    OPENAI("openai", null),
    /** llama.cpp's llama-server: closes after every stream, {@code timings}, /props, /tokenize, /metrics. */
    LLAMA_CPP("llama.cpp", "reasoning_content"),
    /** vLLM's OpenAI server: {@code reasoning_content}, /tokenize, /version, /metrics with vllm:* names. */
    VLLM("vllm", "reasoning_content"),
    /** Ollama's OpenAI endpoint: {@code reasoning}, /api/ps, /api/show, prompts silently truncated. */
    OLLAMA("ollama", "reasoning");

    private final String label;
    private final String reasoningField;

    Personality(String label, String reasoningField) {
        this.label = label;
        this.reasoningField = reasoningField;
    }

    @JsonValue
    public String label() {
        return label;
    }

    /** The delta field this server streams reasoning in, or null when the profile's engine decides (openai). */
    public String reasoningField() {
        return reasoningField;
    }

    @JsonCreator
    public static Personality of(String label) {
        for (Personality p : values()) if (p.label.equals(label)) return p;
        throw new IllegalArgumentException("server.personality '" + label + "' is not one of: "
                + Arrays.stream(values()).map(Personality::label).collect(Collectors.joining(", ")));
    }
}
