package io.tokensiege.simulator.engine;

import java.util.function.Supplier;

/**
 * One generation the engine must serve.
 *
 * @param id            simulator request id (also the {@code x-sim-request-id} header)
 * @param promptText    the rendered prompt, used for prefix-cache matching
 * @param promptTokens  prompt length from {@link PromptTokenizer}
 * @param maxTokens     tokens to generate (the simulator never stops early)
 * @param answerText    the text the answer appends to the prompt (the template's rendering of it), asked for
 *                      once the answer is complete: the prefix cache then holds prompt + answer, as a server
 *                      holds the whole sequence it computed, so the next turn of a conversation reuses both
 */
public record SimRequest(long id, String promptText, int promptTokens, int maxTokens, Supplier<String> answerText) {
    public SimRequest {
        if (maxTokens < 1) throw new IllegalArgumentException("max_tokens must be at least 1");
    }

    /** A request whose answer is not cached (engine tests, benchmarks). */
    public SimRequest(long id, String promptText, int promptTokens, int maxTokens) {
        this(id, promptText, promptTokens, maxTokens, () -> "");
    }
}
