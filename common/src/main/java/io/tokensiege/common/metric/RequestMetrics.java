package io.tokensiege.common.metric;

/**
 * The metric contract of docs/design.md §3 in code: derives a {@link RequestRecord} from
 * {@link RequestStamps}. Nothing else in tokensiege computes TTFT, decode rate or token counts.
 *
 * <p>Worked example: send at 0, first token event at 170 ms, 200 tokens by usage, last token at
 * 4,070 ms: ttft = 170,000 µs; decode rate = 199 / 3.9 s = 51.0 tok/s; tpot = 19,598 µs.
 */
public final class RequestMetrics {
    private static final int SAMPLE_CHARS = 80;

    private RequestMetrics() {}

    public static RequestRecord compute(RequestStamps s, String stepId, String workerId, int stream, int seq, int turn, boolean cancelled, boolean measured) {
        if (!cancelled) classifyEnd(s);
        // A usage above what the request allowed cannot be true: the events are counted instead (and the record shows both).
        boolean usage = s.usageCompletionTokens >= 0 && s.usageCompletionTokens != RequestStamps.NOT_A_COUNT
                && (s.maxTokens <= 0 || s.usageCompletionTokens <= s.maxTokens);
        int events = s.tokenEvents();
        int outputTokens = usage ? s.usageCompletionTokens : events;
        Long tpot = null;
        Double decodeRate = null;
        long decodeEndNanos = decodeEndNanos(s, usage, events);
        if (outputTokens >= 2 && s.firstNanos != RequestStamps.NONE && decodeEndNanos > s.firstNanos) {
            long decodeNanos = decodeEndNanos - s.firstNanos;
            decodeRate = (outputTokens - 1) * 1e9 / decodeNanos;
            tpot = decodeNanos / 1000 / (outputTokens - 1);
        }
        boolean open = s.intendedNanos != RequestStamps.NONE;
        var times = new RequestRecord.Times(s.sendEpochMicros, open ? between(s.intendedNanos, s.sendNanos) : null,
                between(s.sendNanos, s.firstNanos), between(open ? s.intendedNanos : s.sendNanos, s.firstNanos),
                between(s.sendNanos, s.firstAnswerNanos), between(s.sendNanos, s.headersNanos), between(s.sendNanos, s.endNanos), tpot, decodeRate);
        Integer reasoning = s.usageReasoningTokens >= 0 ? Integer.valueOf(s.usageReasoningTokens)
                : (s.reasoningEvents > 0 ? Integer.valueOf(s.reasoningEvents) : null);
        var tokens = new RequestRecord.Tokens(outputTokens, usage ? TokenSource.USAGE : TokenSource.COUNTED, events, reasoning,
                s.reasoningEvents, s.contentEvents, s.toolCallEvents, orNull(s.usagePromptTokens), orNull(s.usageCachedTokens), orNull(s.usageCompletionTokens));
        var outcome = new RequestRecord.Outcome(s.finishReason, s.error == null ? null : s.error.key(), s.errorDetail, s.errorReason, s.httpStatus, cancelled);
        String sample = s.answerSample.length() > SAMPLE_CHARS ? s.answerSample.substring(0, SAMPLE_CHARS) : s.answerSample.toString();
        var connection = new RequestRecord.ConnectionUse(s.reusedConnection, s.connectNanos == RequestStamps.NONE ? null : s.connectNanos / 1000, s.attempts);
        return new RequestRecord(new RequestRecord.Origin(stepId, workerId, stream, seq, turn, s.part), measured, times, tokens, outcome,
                new RequestRecord.Answer(s.serverId, s.answerChars, sample), connection, s.serverTimings, s.agent);
    }

    /**
     * Where the decode ends: the last token event, or, when the usage counts more tokens than the stream carried events, the
     * finish_reason's event if it came later. llama.cpp counts the end-of-sequence token in {@code completion_tokens} (and in
     * {@code predicted_n}) without streaming it, and sends the finish_reason once it is decoded: dividing n − 1 tokens by the time
     * to the last streamed one overstated a 20-token answer's decode rate by 1 / (n − 2), 5.6 %.
     */
    public static long decodeEndNanos(RequestStamps s, boolean usage, int events) {
        boolean unstreamedTokens = usage && s.usageCompletionTokens > events;
        return unstreamedTokens && s.finishNanos > s.lastNanos ? s.finishNanos : s.lastNanos;
    }

    /** A server-reported count, or null where it reported none (-1). */
    private static Integer orNull(int count) {
        return count >= 0 ? count : null;
    }

    /**
     * A stream that ended "successfully" may still be truncated or empty: decided here, once. A stream cut before its
     * end is truncated even when no token had come yet (a connection lost while the server was still prefilling is
     * not an empty answer); empty is for a stream that ended properly without generating anything. A usage of one token
     * with nothing streamed is empty too, unless max_tokens cut it: llama.cpp counts the end-of-sequence token, so a model
     * that ends its answer at once reports 1 (a one-token limit's token went by a channel the parser does not read).
     */
    private static void classifyEnd(RequestStamps s) {
        if (s.error != null) return;
        boolean noToken = s.tokenEvents() == 0 && (s.usageCompletionTokens <= 0 || s.usageCompletionTokens == 1 && !"length".equals(s.finishReason));
        if (!s.sawDone && s.finishReason == null) {
            s.fail(ErrorClass.TRUNCATED, noToken ? "stream ended without [DONE] or finish_reason, before any generated token"
                    : "stream ended without [DONE] or finish_reason");
        } else if (noToken) {
            s.fail(ErrorClass.EMPTY, "no generated token in any channel");
        }
    }

    private static Long between(long from, long to) {
        if (from == RequestStamps.NONE || to == RequestStamps.NONE) return null;
        return Math.max(0, (to - from) / 1000);
    }

    /** Counts {@code chars} of answer and keeps what the sample (for sanity checks) still lacks of {@code text}, which may be empty. */
    public static void appendAnswer(RequestStamps s, int chars, CharSequence text) {
        s.answerChars += chars;
        if (s.answerSample.length() < SAMPLE_CHARS) s.answerSample.append(text, 0, Math.min(text.length(), SAMPLE_CHARS - s.answerSample.length()));
    }

    /** Whether the answer sample still wants text. */
    public static boolean wantsSample(RequestStamps s) {
        return s.answerSample.length() < SAMPLE_CHARS;
    }
}
