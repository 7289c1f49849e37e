package io.tokensiege.common.protocol;

import io.tokensiege.common.metric.RequestRecord;
import java.util.List;

/**
 * Part {@code index} of a worker's request records of a step, sent (from its disk) before its {@link StepFinished},
 * which says how many parts there were. A long step's records do not fit one cluster message: each part is at most
 * {@link ChunkPacker#MAX_WIRE_BYTES} as sealed.
 */
public record RecordChunk(String runId, String stepId, String workerId, int index, List<RequestRecord> records) implements ToCoordinator {}
