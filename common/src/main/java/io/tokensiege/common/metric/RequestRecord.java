package io.tokensiege.common.metric;

import com.fasterxml.jackson.annotation.JsonIgnore;

/**
 * One request as measured, with every metric of docs/design.md §3 derived once (by
 * {@link RequestMetrics}). Times are microseconds relative to {@code t_send}; absent values are null.
 * {@code measured} is false for ramp and tail-filler requests: kept on disk, never in statistics.
 * Kept on the worker's disk as the request ends, carried to the coordinator in chunks at step end, written to
 * {@code requests.jsonl.gz}.
 */
public record RequestRecord(
        String stepId,
        String workerId,
        int stream,
        int seq,
        int turn,
        long sendEpochMicros,
        Long scheduleLagMicros,
        Long ttftMicros,
        Long ttftIntendedMicros,
        Long ttfaMicros,
        Long ttfbMicros,
        Long e2eMicros,
        Long tpotMicros,
        Double decodeRateTokS,
        int outputTokens,
        TokenSource tokenSource,
        int tokenEvents,
        Integer reasoningTokens,
        int reasoningEvents,
        int contentEvents,
        int toolCallEvents,
        Integer promptTokens,
        Integer cachedTokens,
        Integer usageCompletionTokens,
        String finishReason,
        String error,
        String errorDetail,
        int httpStatus,
        String serverId,
        int answerChars,
        String answerSample,
        boolean cancelled,
        boolean measured,
        String errorReason,
        ConnectionUse connection,
        ServerTimings serverTimings,
        AgentTurn agent,
        String part) {

    /**
     * Where a request sits in an agent session (SESSIONS steps only).
     *
     * @param session              the session's number on its worker (a session that starts anew gets a new one)
     * @param userTurn             1-based user turn; a tool result's follow-up keeps the turn of the call it answers
     * @param followUp             sent after a tool result, to continue the same turn
     * @param toolCalls            tool calls in the answer
     * @param ttftToolCallMicros   send to the first tool-call token, or null
     * @param malformedToolCall    a call's arguments were not a JSON object
     * @param historyMessages      messages sent (the whole history so far)
     */
    public record AgentTurn(long session, int userTurn, boolean followUp, int toolCalls, Long ttftToolCallMicros, boolean malformedToolCall,
                            int historyMessages) {
        public AgentTurn withAnswer(int calls, Long ttftToolCall, boolean malformed) {
            return new AgentTurn(session, userTurn, followUp, calls, ttftToolCall, malformed, historyMessages);
        }
    }

    /**
     * How the request reached the server.
     *
     * @param reused        sent on a connection that had already served a response
     * @param connectMicros time to open the connection it needed (null when reused); part of its ttfb and ttft
     * @param attempts      2 when its reused connection turned out closed before any response byte and it went again on a fresh one
     */
    public record ConnectionUse(boolean reused, Long connectMicros, int attempts) {}

    /** Completed without an error class; cancelled requests (still in flight at step end) are not ok. */
    @JsonIgnore
    public boolean ok() {
        return error == null && !cancelled;
    }
}
