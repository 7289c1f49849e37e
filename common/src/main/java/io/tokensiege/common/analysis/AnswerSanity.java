package io.tokensiege.common.analysis;

import io.tokensiege.common.metric.RequestRecord;
import java.util.List;

/**
 * Speed is not quality (docs/context.md lesson 5): per step, the share of answers that were empty, cut off at
 * {@code max_tokens} ({@code finish_reason: length}), or degenerate (the answer sample is one short
 * pattern repeated, as a model stuck in a loop produces). Shares are of finished requests.
 */
public record AnswerSanity(double emptyShare, double cutOffShare, double degenerateShare) {
    public static final AnswerSanity NONE = new AnswerSanity(0, 0, 0);

    public static AnswerSanity of(List<RequestRecord> records) {
        List<RequestRecord> finished = records.stream().filter(r -> !r.outcome().cancelled()).toList();
        if (finished.isEmpty()) return NONE;
        long empty = finished.stream().filter(r -> "empty".equals(r.outcome().error())).count();
        long cut = finished.stream().filter(r -> "length".equals(r.outcome().finishReason())).count();
        long degenerate = finished.stream().filter(r -> r.ok() && isDegenerate(r.answer().answerSample())).count();
        double n = finished.size();
        return new AnswerSanity(empty / n, cut / n, degenerate / n);
    }

    /** True when the text is a pattern of 1..8 characters repeated to fill at least 24 characters. */
    static boolean isDegenerate(String text) {
        if (text == null) return false;
        String t = text.strip();
        if (t.length() < 24) return false;
        for (int period = 1; period <= 8; period++) {
            boolean repeats = true;
            for (int i = period; i < t.length() && repeats; i++) repeats = t.charAt(i) == t.charAt(i - period);
            if (repeats) return true;
        }
        return false;
    }
}
