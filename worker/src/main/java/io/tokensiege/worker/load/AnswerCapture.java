package io.tokensiege.worker.load;

import io.tokensiege.common.metric.RequestStamps;
import io.tokensiege.worker.sse.ChunkInfo;

/**
 * An agent's answer kept whole (up to a bound) with its tool calls, to be carried in the next turn's history; and,
 * when the request ends, what the agent turn saw of tools (how many calls, when the first came, whether one was
 * malformed). Lives on its exchange's event loop.
 */
final class AnswerCapture {
    private final StringBuilder text = new StringBuilder();
    private final ToolCallAssembler toolCalls = new ToolCallAssembler();
    private final int maxChars;

    AnswerCapture(int maxChars) {
        this.maxChars = maxChars;
    }

    void add(ChunkInfo info) {
        if (info.contentChars > 0 && text.length() < maxChars) text.append(info.contentText, 0, Math.min(info.contentText.length(), maxChars - text.length()));
        for (ChunkInfo.ToolCallDelta d : info.toolCalls) toolCalls.add(d);
    }

    String text() {
        return text.toString();
    }

    ToolCallAssembler toolCalls() {
        return toolCalls;
    }

    /** Fills the agent turn's tool figures into the stamps at the request's end. */
    void finish(RequestStamps stamps) {
        if (stamps.agent == null) return;
        Long ttftToolCall = stamps.firstToolCallNanos == RequestStamps.NONE ? null : (stamps.firstToolCallNanos - stamps.sendNanos) / 1000;
        stamps.agent = stamps.agent.withAnswer(toolCalls.calls("").size(), ttftToolCall, !toolCalls.isEmpty() && toolCalls.anyMalformed());
    }
}
