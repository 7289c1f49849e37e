package io.tokensiege.common.protocol;

import io.tokensiege.common.json.Json;
import io.tokensiege.common.trace.TraceRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * Part {@code index} (of {@code of}) of the trace records a worker replays in a step, sent before its
 * {@link AssignStep}. A share of a 16 MB trace does not fit one cluster message, so it travels in chunks of at most
 * {@link #MAX_WIRE_BYTES} each as sealed; a worker with no records gets one empty chunk, so it can tell "none" from
 * "lost".
 */
public record TraceChunk(String runId, String stepId, String workerId, int index, int of, List<TraceRecord> records) implements ToWorker {
    /** No cluster message exceeds 1 MB; see {@link ChunkPacker#MAX_WIRE_BYTES}. */
    public static final int MAX_WIRE_BYTES = ChunkPacker.MAX_WIRE_BYTES;

    /** The chunks of one worker's records, in order, each at most {@link #MAX_WIRE_BYTES} once sealed. */
    public static List<TraceChunk> of(String runId, String stepId, String workerId, List<TraceRecord> records) {
        ChunkPacker<TraceRecord> packer = new ChunkPacker<>(new TraceChunk(runId, stepId, workerId, Integer.MAX_VALUE, Integer.MAX_VALUE, List.of()));
        List<List<TraceRecord>> parts = new ArrayList<>();
        for (TraceRecord r : records) {
            long size = recordWireBytes(r);
            if (!packer.fits(size)) throw new IllegalArgumentException("trace line " + r.line() + " is " + size + " bytes as sent to a worker, more than one cluster message holds");
            List<TraceRecord> closed = packer.add(r, size);
            if (closed != null) parts.add(closed);
        }
        parts.add(packer.finish());
        List<TraceChunk> out = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) out.add(new TraceChunk(runId, stepId, workerId, i, parts.size(), parts.get(i)));
        return out;
    }

    /** A record's bytes inside a sealed chunk: its JSON, once more escaped as the envelope's body string. */
    public static long recordWireBytes(TraceRecord r) {
        return ChunkPacker.wireBytes(Json.write(r));
    }
}
