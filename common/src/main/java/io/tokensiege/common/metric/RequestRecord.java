package io.tokensiege.common.metric;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonUnwrapped;

/**
 * One request as measured, with every metric of docs/design.md §3 derived once (by
 * {@link RequestMetrics}). Times are microseconds relative to {@code t_send}; absent values are null.
 * {@code measured} is false for ramp and tail-filler requests: kept on disk, never in statistics.
 * Kept on the worker's disk as the request ends, carried to the coordinator in chunks at step end, written to
 * {@code requests.jsonl.gz}. The value groups are {@code @JsonUnwrapped}: each line stays one flat object, as before they existed.
 */
public record RequestRecord(@JsonUnwrapped Origin origin, boolean measured, @JsonUnwrapped Times times, @JsonUnwrapped Tokens tokens,
                            @JsonUnwrapped Outcome outcome, @JsonUnwrapped Answer answer, ConnectionUse connection,
                            ServerTimings serverTimings, AgentTurn agent) {

    /**
     * Which request this is.
     *
     * @param stream the worker's stream (or session) that sent it
     * @param seq    its number on its stream
     * @param turn   its turn in a TURNS step, else 0
     * @param part   mixed steps: the part it was drawn from ("probe" for the probe), else null
     */
    public record Origin(String stepId, String workerId, int stream, int seq, int turn, String part) {
        /** The part name of a mixed step's probe requests. */
        public static final String PROBE = "probe";

        /** A mixed step's probe: shown as its own part, kept out of the level's own figures. */
        @JsonIgnore
        public boolean isProbe() {
            return PROBE.equals(part);
        }
    }

    /**
     * Its times, microseconds from its send unless named otherwise (docs/design.md §3).
     *
     * @param scheduleLagMicros  open loop: intended start to send, else null
     * @param ttftIntendedMicros TTFT from the intended start in an open loop (coordinated omission), else equal to ttft
     * @param decodeRateTokS     (output tokens - 1) / (last token - first token), or null below two tokens
     */
    public record Times(long sendEpochMicros, Long scheduleLagMicros, Long ttftMicros, Long ttftIntendedMicros, Long ttfaMicros,
                        Long ttfbMicros, Long e2eMicros, Long tpotMicros, Double decodeRateTokS) {}

    /**
     * What it generated, by usage where the server reported a believable one, else counted (see {@code tokenSource}).
     *
     * @param tokenEvents           stream events that carried a token, in any channel
     * @param usageCompletionTokens the server's own count, even when not believed, or null
     */
    public record Tokens(int outputTokens, TokenSource tokenSource, int tokenEvents, Integer reasoningTokens, int reasoningEvents,
                         int contentEvents, int toolCallEvents, Integer promptTokens, Integer cachedTokens, Integer usageCompletionTokens) {}

    /**
     * How it ended.
     *
     * @param error       its error class key, or null
     * @param errorReason the short, groupable form of the error (e.g. "exceed_context_size (7,868 > 4,096 tokens)")
     * @param cancelled   still in flight when its step ended
     */
    public record Outcome(String finishReason, String error, String errorDetail, String errorReason, int httpStatus, boolean cancelled) {}

    /**
     * What it answered: the server's id for the completion and the start of the answer text, for sanity checks.
     */
    public record Answer(String serverId, int answerChars, String answerSample) {}

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
        return outcome.error() == null && !outcome.cancelled();
    }
}
