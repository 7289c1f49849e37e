package io.tokensiege.common.metric;

/**
 * The raw observations of one request, filled in by the worker as events arrive: {@code nanoTime}
 * stamps (absent = {@link #NONE}), event counts per channel, and what the server's usage block said.
 * Turned into a {@link RequestRecord} by {@link RequestMetrics} — the one place the metric
 * definitions live.
 */
public final class RequestStamps {
    public static final long NONE = Long.MIN_VALUE;
    /** A usage completion_tokens that was there but no count (negative, fractional, beyond 2^31): never believed, always flagged. */
    public static final int NOT_A_COUNT = Integer.MAX_VALUE;

    public long intendedNanos = NONE;
    public long sendNanos = NONE;
    public long sendEpochMicros;
    public long headersNanos = NONE;
    public long firstNanos = NONE;
    public long firstAnswerNanos = NONE;
    public long lastNanos = NONE;
    /** The event that carried the finish_reason: the time of the end token (EOS, a stop string) a server decodes without streaming it. */
    public long finishNanos = NONE;
    /** The first event carrying a tool call (an agent's time to its first tool-call token). */
    public long firstToolCallNanos = NONE;
    public long endNanos = NONE;

    public int contentEvents;
    public int reasoningEvents;
    public int toolCallEvents;
    public int answerChars;
    public final StringBuilder answerSample = new StringBuilder();

    public int usageCompletionTokens = -1;
    public int usagePromptTokens = -1;
    public int usageCachedTokens = -1;
    public int usageReasoningTokens = -1;

    /** How long opening this request's connection took (inside ttfb and ttft); NONE on a reused connection. */
    public long connectNanos = NONE;
    public boolean reusedConnection;
    /** 2 when a reused connection was found closed before any response byte and the request went again on a fresh one. */
    public int attempts = 1;
    public ServerTimings serverTimings;
    /** The part of a mixed step this request was drawn from ("probe" for the probe), or null. */
    public String part;

    /** A mixed step's probe ({@link RequestRecord.Origin#isProbe}, before the record exists). */
    public boolean isProbe() {
        return RequestRecord.Origin.PROBE.equals(part);
    }
    /** The agent turn this request belongs to (sessions only; the exchange fills in the tool calls it saw); null otherwise. */
    public RequestRecord.AgentTurn agent;
    /** The max_tokens the request asked for (0 = unknown): a usage above it cannot be true. */
    public int maxTokens;

    public String finishReason;
    public boolean sawDone;
    public int httpStatus;
    public String serverId;
    public ErrorClass error;
    public String errorDetail;
    /** The short, groupable form of the error (e.g. "exceed_context_size (7,868 > 4,096 tokens)"). */
    public String errorReason;

    /** Records one token-carrying event's arrival; the caller knows which channels it carried. */
    public void tokenEvent(long nanos, boolean content, boolean reasoning, boolean toolCall) {
        if (firstNanos == NONE) firstNanos = nanos;
        if ((content || toolCall) && firstAnswerNanos == NONE) firstAnswerNanos = nanos;
        if (toolCall && firstToolCallNanos == NONE) firstToolCallNanos = nanos;
        lastNanos = nanos;
        if (content) contentEvents++;
        if (reasoning) reasoningEvents++;
        if (toolCall) toolCallEvents++;
    }

    public int tokenEvents() {
        return Math.max(contentEvents + reasoningEvents + toolCallEvents - overlapEvents, 0);
    }

    /** Events that carried more than one channel (counted once as a token event). */
    public int overlapEvents;

    /** Runs what this request kept of the server's words (error detail and reason, answer sample, response id) through {@code redact}. */
    public void redact(java.util.function.UnaryOperator<String> redact) {
        serverId = redact.apply(serverId);
        errorDetail = redact.apply(errorDetail);
        errorReason = redact.apply(errorReason);
        String sample = answerSample.toString();
        String clean = redact.apply(sample);
        if (!clean.equals(sample)) {
            answerSample.setLength(0);
            answerSample.append(clean);
        }
    }

        public void fail(ErrorClass cls, String detail) {
        fail(cls, detail, detail);
    }

    public void fail(ErrorClass cls, String detail, String reason) {
        if (error == null) {
            error = cls;
            errorDetail = detail;
            errorReason = reason;
        }
    }
}
