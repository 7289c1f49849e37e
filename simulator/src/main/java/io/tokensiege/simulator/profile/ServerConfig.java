package io.tokensiege.simulator.profile;

/**
 * The facts of a simulated server that are not engine speed: whose habits it imitates, how it counts
 * prompt tokens, how long a prompt may be, and when it drops idle connections.
 *
 * <p>Worked example ({@code llama-cpp}): at 5.1 characters per token a 10,000-character prompt is
 * 1,961 tokens; with {@code context_tokens: 4096} a 21,000-character one (4,118 tokens) is refused
 * with llama.cpp's 400 {@code exceed_context_size_error}.
 *
 * @param personality   openai | llama.cpp | vllm | ollama
 * @param contextTokens prompt-token limit per request (llama.cpp: n_ctx per slot; vLLM: max_model_len); 0 = unlimited
 * @param charsPerToken the simulated tokenizer's density: UTF-8 bytes of text per token (= characters for ASCII)
 * @param idleCloseMs   close a keep-alive connection idle longer than this, in real (not simulated) ms; 0 = never
 */
public record ServerConfig(Personality personality, int contextTokens, double charsPerToken, long idleCloseMs) {
    /** What every profile was before personalities: OpenAI's habits, 4 characters per token, no limits. */
    public static final ServerConfig OPENAI_DEFAULT = new ServerConfig(Personality.OPENAI, 0, 4.0, 0);

    /** What a server reports as its context size when {@code context_tokens} is 0 (unlimited): a large, plausible figure. */
    public static final int REPORTED_UNLIMITED_CONTEXT_TOKENS = 131_072;

    public ServerConfig {
        if (personality == null) throw new IllegalArgumentException("server.personality is required: openai, llama.cpp, vllm or ollama");
        if (contextTokens < 0) throw new IllegalArgumentException("server.context_tokens must be 0 (unlimited) or positive, not " + contextTokens);
        if (!(charsPerToken >= 1 && charsPerToken <= 32)) {
            throw new IllegalArgumentException("server.chars_per_token must be between 1 and 32 (real tokenizers give 3 to 6), not " + charsPerToken);
        }
        if (idleCloseMs < 0) throw new IllegalArgumentException("server.idle_close_ms must be 0 (never) or positive, not " + idleCloseMs);
    }

    public boolean limitsContext() {
        return contextTokens > 0;
    }

    /** The context size the server tells clients about (/props n_ctx, max_model_len, context_length). */
    public int reportedContextTokens() {
        return contextTokens > 0 ? contextTokens : REPORTED_UNLIMITED_CONTEXT_TOKENS;
    }
}
