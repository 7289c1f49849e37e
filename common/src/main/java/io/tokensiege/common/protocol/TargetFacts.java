package io.tokensiege.common.protocol;

/**
 * What the coordinator learned about a target before (and while) measuring it, applied to every later
 * step: how to size prompts in the target's own tokens, whether it closes connections after each
 * response (then a worker opens one per request instead of racing the server's close), and how many
 * requests it serves at once when it says so.
 *
 * @param slots the parallel slots the server reported (llama.cpp {@code /props total_slots}), or null: the knee's
 *              explanation says "queues" or "waits for a slot" only where the load exceeded them
 */
public record TargetFacts(PromptSizing sizing, boolean connectionPerRequest, Integer slots) {
    public static final TargetFacts UNKNOWN = new TargetFacts(PromptSizing.ASSUMED, false, null);

    public TargetFacts withSizing(PromptSizing s) {
        return new TargetFacts(s, connectionPerRequest, slots);
    }

    public TargetFacts withConnectionPerRequest(boolean perRequest) {
        return new TargetFacts(sizing, perRequest, slots);
    }

    public TargetFacts withSlots(Integer n) {
        return new TargetFacts(sizing, connectionPerRequest, n);
    }

    /**
     * The target's tokenizer, as a line: {@code server_prompt_tokens ~= overheadTokens + chars / charsPerToken}.
     *
     * @param charsPerToken  characters of tokensiege's generated text per token of this target
     * @param overheadTokens tokens the server adds to a one-message request (chat template, BOS)
     * @param source         where the figures came from, e.g. "/tokenize", "usage of 2 warm-up requests", "assumed"
     */
    public record PromptSizing(double charsPerToken, int overheadTokens, String source) {
        public static final PromptSizing ASSUMED = new PromptSizing(4.0, 0, "assumed 4 characters per token");

        public PromptSizing {
            if (!(charsPerToken > 0.5 && charsPerToken < 64)) throw new IllegalArgumentException("implausible characters per token: " + charsPerToken);
            if (overheadTokens < 0) throw new IllegalArgumentException("negative overhead: " + overheadTokens);
        }

        /** Characters of text for {@code tokens} tokens of this target. */
        public int chars(int tokens) {
            return (int) Math.round(Math.max(0, tokens) * charsPerToken);
        }

        /** Tokens of this target in {@code chars} characters of text (the inverse of {@link #chars}). */
        public int tokens(int chars) {
            return (int) Math.round(Math.max(0, chars) / charsPerToken);
        }
    }
}
