package io.tokensiege.worker;

import io.tokensiege.common.protocol.TraceChunk;
import io.tokensiege.common.trace.TraceRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * The trace chunks of the step about to be assigned, gathered until its {@link io.tokensiege.common.protocol.AssignStep}
 * comes. Only one step's chunks are kept: chunks arrive just before their step's assignment, so a chunk of another step
 * means the earlier one was abandoned. Used on the worker's one message thread.
 */
final class TraceInbox {
    private String stepId;
    private TraceChunk[] chunks;

    void add(TraceChunk chunk) {
        if (!chunk.stepId().equals(stepId) || chunks == null || chunks.length != chunk.of()) {
            stepId = chunk.stepId();
            chunks = new TraceChunk[Math.max(1, chunk.of())];
        }
        if (chunk.index() >= 0 && chunk.index() < chunks.length) chunks[chunk.index()] = chunk;
    }

    /** The step's records in order, or null when some chunk never came; forgets them either way. */
    List<TraceRecord> take(String forStep) {
        TraceChunk[] mine = forStep.equals(stepId) ? chunks : null;
        stepId = null;
        chunks = null;
        if (mine == null) return null;
        List<TraceRecord> out = new ArrayList<>();
        for (TraceChunk c : mine) {
            if (c == null) return null;
            out.addAll(c.records());
        }
        return out;
    }

    /** Chunks received for {@code forStep} so far, for the message when some are missing. */
    int received(String forStep) {
        if (!forStep.equals(stepId) || chunks == null) return 0;
        int n = 0;
        for (TraceChunk c : chunks) if (c != null) n++;
        return n;
    }
}
