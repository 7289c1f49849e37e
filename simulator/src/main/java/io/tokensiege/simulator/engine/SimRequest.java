package io.tokensiege.simulator.engine;

/**
 * One generation the engine must serve.
 *
 * @param id            simulator request id (also the {@code x-sim-request-id} header)
 * @param promptText    the rendered prompt, used for prefix-cache matching
 * @param promptTokens  prompt length from {@link PromptTokenizer}
 * @param maxTokens     tokens to generate (the simulator never stops early)
 */
public record SimRequest(long id, String promptText, int promptTokens, int maxTokens) {
    public SimRequest {
        if (maxTokens < 1) throw new IllegalArgumentException("max_tokens must be at least 1");
    }
}
