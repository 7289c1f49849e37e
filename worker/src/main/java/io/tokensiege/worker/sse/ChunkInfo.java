package io.tokensiege.worker.sse;

/**
 * What one OpenAI chat-completion chunk carried, decoded by {@link ChunkDecoder}. Reused between
 * events (reset per event) to keep the hot path allocation-free. Lengths are in characters.
 */
public final class ChunkInfo {
    public boolean done;
    public boolean malformed;
    public String malformedDetail;
    /** An in-stream {@code error} value as JSON ({@code {"error":...}}), for {@code ServerError.parse}; null when none. */
    public String errorJson;
    public String id;
    public int contentChars;
    public int reasoningChars;
    public int toolCallParts;
    /** The tool-call deltas of this event, in order: a call's id and name come first, its arguments in fragments. */
    public final java.util.List<ToolCallDelta> toolCalls = new java.util.ArrayList<>();
    public String finishReason;
    public final StringBuilder contentText = new StringBuilder();
    public int usageCompletionTokens = -1;
    public int usagePromptTokens = -1;
    public int usageCachedTokens = -1;
    public int usageReasoningTokens = -1;
    /** llama.cpp's {@code timings}: present when {@link #hasTimings}. */
    public boolean hasTimings;
    public int timingsPromptN = -1;
    public int timingsCacheN = -1;
    public double timingsPromptMs = -1;
    public int timingsPredictedN = -1;
    public double timingsPredictedMs = -1;
    public double timingsPredictedPerSecond = -1;

    void reset() {
        done = false;
        malformed = false;
        malformedDetail = null;
        errorJson = null;
        id = null;
        contentChars = 0;
        reasoningChars = 0;
        toolCallParts = 0;
        toolCalls.clear();
        finishReason = null;
        contentText.setLength(0);
        usageCompletionTokens = -1;
        usagePromptTokens = -1;
        usageCachedTokens = -1;
        usageReasoningTokens = -1;
        hasTimings = false;
        timingsPromptN = -1;
        timingsCacheN = -1;
        timingsPromptMs = -1;
        timingsPredictedN = -1;
        timingsPredictedMs = -1;
        timingsPredictedPerSecond = -1;
    }

    /** One element of {@code delta.tool_calls}: which call ({@code index}), and what this event adds to it (any may be null). */
    public record ToolCallDelta(int index, String id, String name, String argumentsFragment) {}

    /** What an event arriving at {@code arrivalNanos} says about the whole request (finish reason, usage, the server's timings), copied into its stamps. */
    public void copyTotalsTo(io.tokensiege.common.metric.RequestStamps stamps, long arrivalNanos) {
        if (finishReason != null) {
            stamps.finishReason = finishReason;
            if (stamps.finishNanos == io.tokensiege.common.metric.RequestStamps.NONE) stamps.finishNanos = arrivalNanos;
        }
        if (usageCompletionTokens >= 0) stamps.usageCompletionTokens = usageCompletionTokens;
        if (usagePromptTokens >= 0) stamps.usagePromptTokens = usagePromptTokens;
        if (usageCachedTokens >= 0) stamps.usageCachedTokens = usageCachedTokens;
        if (usageReasoningTokens >= 0) stamps.usageReasoningTokens = usageReasoningTokens;
        if (hasTimings) {
            stamps.serverTimings = new io.tokensiege.common.metric.ServerTimings(timingsPromptN >= 0 ? timingsPromptN : null,
                    timingsCacheN >= 0 ? timingsCacheN : null, timingsPromptMs >= 0 ? timingsPromptMs : null, timingsPredictedN >= 0 ? timingsPredictedN : null,
                    timingsPredictedMs >= 0 ? timingsPredictedMs : null, timingsPredictedPerSecond >= 0 ? timingsPredictedPerSecond : null);
        }
    }

    /** A token-carrying event: at least one generated character in any channel (docs/design.md §3). */
    public boolean carriesToken() {
        return contentChars > 0 || reasoningChars > 0 || toolCallParts > 0;
    }
}
