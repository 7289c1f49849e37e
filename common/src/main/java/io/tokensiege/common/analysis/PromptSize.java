package io.tokensiege.common.analysis;

import io.tokensiege.common.metric.RequestRecord;
import java.util.List;
import java.util.Locale;

/**
 * The prompt tokens a step asked for beside those the server counted ({@code usage.prompt_tokens}): a prompt
 * "of 10,000 tokens" is only that in the target's own tokenizer, and a server may truncate what it was sent.
 *
 * @param askedTokens   what each request asked for, by the sizing in force
 * @param countedP50    the median the server reported, or null without usage
 * @param gap           countedP50 / askedTokens - 1, or null
 * @param sizing        how prompts were sized, e.g. "llama.cpp /tokenize, 5.06 chars/token"
 */
public record PromptSize(int askedTokens, Integer countedP50, Double gap, String sizing) {
    /** A larger gap is flagged: the scenario did not measure the size it claims. */
    static final double FLAG_GAP = 0.10;
    /** ...unless it is only a few tokens (a chat template's markers on a tiny prompt): nothing a figure depends on. */
    static final int FLAG_MIN_TOKENS = 32;

    static PromptSize of(int asked, List<RequestRecord> records, String sizing) {
        int[] counted = records.stream().filter(r -> r.tokens().promptTokens() != null && r.tokens().promptTokens() > 0).mapToInt(rec -> rec.tokens().promptTokens()).sorted().toArray();
        if (counted.length == 0) return new PromptSize(asked, null, null, sizing);
        int p50 = counted[(counted.length - 1) / 2];
        return new PromptSize(asked, p50, asked > 0 ? (double) p50 / asked - 1 : null, sizing);
    }

    void flag(String stepId, List<Flag> flags) {
        if (gap == null || Math.abs(gap) <= FLAG_GAP || Math.abs(countedP50 - askedTokens) < FLAG_MIN_TOKENS) return;
        flags.add(new Flag(Flag.PROMPT_SIZE_GAP, stepId, String.format(Locale.ROOT,
                "asked for %,d prompt tokens, the server counted %,d (%+.0f%%)%s", askedTokens, countedP50, 100 * gap,
                gap < 0 ? ": it may have truncated the prompt (a context limit), or its tokenizer differs from the sizing (" + sizing + ")"
                        : ": its tokenizer counts more than the sizing assumed (" + sizing + ")")));
    }
}
