package io.tokensiege.common.protocol;

import io.tokensiege.common.metric.RequestRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts the {@link RecordChunk}s of one step back together, worker by worker, in order. A worker's chunks arrive
 * before its {@link StepFinished} (one sender, one queue), so when that comes its records are whole, or a chunk
 * was lost and the share is partial, which is said, never waited for. Used on one thread.
 */
public final class RecordAssembly {
    private final Map<String, Map<Integer, List<RequestRecord>>> partsByWorker = new HashMap<>();

    /** A finished share with its records, and why some are missing (null when none are). */
    public record Assembled(StepFinished finished, String missing) {}

    public void add(RecordChunk chunk) {
        partsByWorker.computeIfAbsent(chunk.workerId(), w -> new HashMap<>()).put(chunk.index(), chunk.records());
    }

    /** {@code f} with its records in order; its chunks are forgotten. */
    public Assembled complete(StepFinished f) {
        Map<Integer, List<RequestRecord>> parts = partsByWorker.remove(f.workerId());
        if (f.recordChunks() == 0) return new Assembled(f, null);
        List<RequestRecord> records = new ArrayList<>(f.records());
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < f.recordChunks(); i++) {
            List<RequestRecord> part = parts == null ? null : parts.get(i);
            if (part == null) missing.add(i);
            else records.addAll(part);
        }
        String why = missing.isEmpty() ? null : "worker " + f.workerId() + ": record chunk(s) " + missing + " of " + f.recordChunks()
                + " never came; the requests in them are missing from requests.jsonl.gz and the step's analysis";
        return new Assembled(new StepFinished(f.runId(), f.stepId(), f.workerId(), f.totals(), records, f.aborted()), why);
    }
}
