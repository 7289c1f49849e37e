package io.tokensiege.common.protocol;

import io.tokensiege.common.metric.RequestRecord;
import java.util.List;

/**
 * A worker's share of a step is over: its totals and every request record. Over the cluster the records come
 * first, in {@code recordChunks} {@link RecordChunk} messages, and {@code records} is empty ({@link RecordAssembly}
 * puts them back); a finished share held in one JVM carries them itself ({@code recordChunks} 0).
 */
public record StepFinished(String runId, String stepId, String workerId, StepTotals totals, List<RequestRecord> records,
                           boolean aborted, int recordChunks) implements ToCoordinator {

    /** A share whose records are all here. */
    public StepFinished(String runId, String stepId, String workerId, StepTotals totals, List<RequestRecord> records, boolean aborted) {
        this(runId, stepId, workerId, totals, records, aborted, 0);
    }
}
