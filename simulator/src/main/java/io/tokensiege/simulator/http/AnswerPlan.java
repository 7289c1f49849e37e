package io.tokensiege.simulator.http;

import io.tokensiege.simulator.tools.PlannedCall;

/**
 * What one request is answered with, fixed before the engine runs: content, or (after any reasoning) one
 * tool call, and how many tokens the engine generates for it.
 *
 * <p>A content answer is {@code max_tokens} long, as always. A call is its reasoning, its name token and one
 * token per argument fragment, cut at {@code max_tokens}: a cut call ends with {@code finish_reason:
 * "length"} and the fragments sent so far, a whole one with {@code "tool_calls"}.
 *
 * @param call            the call, or null for content
 * @param tokens          tokens the engine generates (usage {@code completion_tokens})
 * @param reasoningTokens the first tokens, in the reasoning channel
 */
record AnswerPlan(PlannedCall call, int tokens, int reasoningTokens) {

    static AnswerPlan of(PlannedCall call, int maxTokens, int reasoningTokens) {
        if (call == null) return new AnswerPlan(null, maxTokens, reasoningTokens);
        return new AnswerPlan(call, Math.min(maxTokens, reasoningTokens + call.tokens()), reasoningTokens);
    }

    /** The answer streams a call: its name token fits within {@code max_tokens}. */
    boolean callsTool() {
        return call != null && tokens > reasoningTokens;
    }

    String finishReason() {
        return call != null && tokens == reasoningTokens + call.tokens() ? "tool_calls" : "length";
    }

    /** The call's arguments as far as they were generated. */
    String argumentsSent() {
        return String.join("", call.fragments().subList(0, Math.max(0, tokens - reasoningTokens - 1)));
    }
}
