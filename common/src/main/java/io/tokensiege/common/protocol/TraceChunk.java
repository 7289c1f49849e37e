package io.tokensiege.common.protocol;

import io.tokensiege.common.json.Json;
import io.tokensiege.common.trace.TraceRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Part {@code index} (of {@code of}) of the trace records a worker replays in a step, sent before its
 * {@link AssignStep}. A share of a 16 MB trace does not fit one cluster message, so it travels in chunks of at most
 * {@link #MAX_WIRE_BYTES} each as sealed; a worker with no records gets one empty chunk, so it can tell "none" from
 * "lost".
 */
public record TraceChunk(String runId, String stepId, String workerId, int index, int of, List<TraceRecord> records) implements ToWorker {
    /** No cluster message exceeds 1 MB; 16 KB of that is left for the envelope's header and signature. */
    public static final int MAX_WIRE_BYTES = (1 << 20) - (16 << 10);

    /** The chunks of one worker's records, in order, each at most {@link #MAX_WIRE_BYTES} once sealed. */
    public static List<TraceChunk> of(String runId, String stepId, String workerId, List<TraceRecord> records) {
        long frame = wireBytes(ProtocolCodec.encode(new TraceChunk(runId, stepId, workerId, Integer.MAX_VALUE, Integer.MAX_VALUE, List.of())));
        List<List<TraceRecord>> parts = new ArrayList<>();
        List<TraceRecord> part = new ArrayList<>();
        long bytes = frame;
        for (TraceRecord r : records) {
            long size = recordWireBytes(r) + 1; // and its comma
            if (frame + size > MAX_WIRE_BYTES) {
                throw new IllegalArgumentException("trace line " + r.line() + " is " + size + " bytes as sent to a worker, more than one cluster message holds");
            }
            if (!part.isEmpty() && bytes + size > MAX_WIRE_BYTES) {
                parts.add(part);
                part = new ArrayList<>();
                bytes = frame;
            }
            part.add(r);
            bytes += size;
        }
        parts.add(part);
        List<TraceChunk> out = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) out.add(new TraceChunk(runId, stepId, workerId, i, parts.size(), parts.get(i)));
        return out;
    }

    /** A record's bytes inside a sealed chunk: its JSON, once more escaped as the envelope's body string. */
    public static long recordWireBytes(TraceRecord r) {
        return wireBytes(Json.write(r));
    }

    /** UTF-8 bytes of {@code json} written as a JSON string: every quote and backslash gains one (it has no raw control characters). */
    static long wireBytes(String json) {
        long escapes = 0;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c == '"' || c == '\\') escapes++;
        }
        return json.getBytes(StandardCharsets.UTF_8).length + escapes;
    }
}
