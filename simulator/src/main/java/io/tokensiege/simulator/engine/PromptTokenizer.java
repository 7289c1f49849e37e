package io.tokensiege.simulator.engine;

import java.nio.charset.StandardCharsets;

/**
 * A deterministic stand-in for a tokenizer: one token per {@code charsPerToken} UTF-8 bytes of text,
 * rounded up. Real tokenizers differ by model (a SentencePiece Llama vocabulary gives ~5.1 characters
 * a token on English-like text, GPT-style BPE ~4); the simulator only needs a stable, documented length
 * that every place counting a prompt agrees on: engine prefill, {@code usage.prompt_tokens}, the context
 * check and {@code /tokenize}.
 *
 * <p>Worked example at 4.0: "Hello there" is 11 bytes = 3 tokens; at 5.1 it is 3 tokens too, and a
 * 10,000-character prompt is 2,500 vs 1,961 tokens.
 */
public final class PromptTokenizer {
    /** The density of every profile before tokenizers were configurable; the demo's numbers rest on it. */
    public static final double DEFAULT_CHARS_PER_TOKEN = 4.0;
    public static final PromptTokenizer DEFAULT = new PromptTokenizer(DEFAULT_CHARS_PER_TOKEN);
    private static final int VOCABULARY = 32_000;

    private final double charsPerToken;

    public PromptTokenizer(double charsPerToken) {
        if (!(charsPerToken > 0)) throw new IllegalArgumentException("chars_per_token must be positive");
        this.charsPerToken = charsPerToken;
    }

    public double charsPerToken() {
        return charsPerToken;
    }

    public int count(String text) {
        return tokensForBytes(text.getBytes(StandardCharsets.UTF_8).length);
    }

    /** Made-up token ids, as many as {@link #count} says, the same for the same text (for /tokenize). */
    public int[] ids(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[tokensForBytes(bytes.length)];
        for (int t = 0; t < ids.length; t++) {
            int from = (int) Math.floor(t * charsPerToken);
            int to = Math.min(bytes.length, (int) Math.floor((t + 1) * charsPerToken));
            int h = 17;
            for (int i = from; i < to; i++) h = 31 * h + bytes[i];
            ids[t] = Math.floorMod(h, VOCABULARY);
        }
        return ids;
    }

    /** The longest byte length that counts as at most {@code tokens} tokens (prefix-cache blocks, truncation). */
    public int bytesFor(int tokens) {
        return (int) Math.floor(tokens * charsPerToken);
    }

    private int tokensForBytes(int bytes) {
        return (int) Math.ceil(bytes / charsPerToken);
    }
}
