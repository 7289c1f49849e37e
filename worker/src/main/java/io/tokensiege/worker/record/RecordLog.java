package io.tokensiege.worker.record;

import io.tokensiege.common.json.Json;
import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.protocol.ChunkPacker;
import io.tokensiege.common.protocol.RecordChunk;
import io.tokensiege.common.protocol.WorkerFailed;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A worker's request records of one step on its own disk, one JSON line each as the request ends, so its heap
 * never holds a step's records (a 10-minute step at 1,000 streams ends hundreds of thousands of requests). Once the
 * share is over they go to the coordinator from the file, in {@link RecordChunk}s of at most 1 MB as sealed.
 *
 * <p>With a data dir the file stays there as the worker's local copy, beside its hlog
 * ({@code DATA/<run>/<step>.requests.jsonl}); without one it is a temporary file, deleted once sent. A write that
 * fails is kept as {@link #failure()}: the records after it are lost, and the worker says so.
 */
public final class RecordLog {
    private static final Logger log = LoggerFactory.getLogger(RecordLog.class);
    private static final int BUFFER_BYTES = 64 << 10;

    private final Path dataDir;
    private final String runId;
    private final String stepId;
    private Path path;
    private BufferedWriter out;
    private boolean closed;
    private IOException failure;
    private int written;

    private RecordLog(Path dataDir, String runId, String stepId) {
        this.dataDir = dataDir;
        this.runId = runId;
        this.stepId = stepId;
    }

    /** The step's file under {@code dataDir}, or a temporary one when {@code dataDir} is null; created at the first record. */
    public static RecordLog open(Path dataDir, String runId, String stepId) {
        return new RecordLog(dataDir, runId, stepId);
    }

    /** Appends {@code r}; any lane's event loop may call this (a buffered write: the disk is touched every 64 KB). */
    public synchronized void append(RequestRecord r) {
        if (closed || failure != null) return;
        try {
            if (out == null) out = new BufferedWriter(Files.newBufferedWriter(create(), StandardCharsets.UTF_8), BUFFER_BYTES);
            out.write(Json.write(r));
            out.write('\n');
            written++;
        } catch (IOException e) {
            failure = e;
            closeQuietly();
        }
    }

    private Path create() throws IOException {
        path = dataDir == null ? Files.createTempFile("tokensiege-" + stepId + "-", ".requests.jsonl")
                : Files.createDirectories(dataDir.resolve(runId)).resolve(stepId + ".requests.jsonl");
        return path;
    }

    /** Records written so far. */
    public synchronized int written() {
        return written;
    }

    /** The first write that failed, or null. */
    public synchronized IOException failure() {
        return failure;
    }

    /** The file, once a record was written (null before). */
    public synchronized Path path() {
        return path;
    }

    /** What the coordinator must hear when a write failed (logged here too), else empty. */
    public synchronized Optional<WorkerFailed> failureReport(String runId, String stepId, String workerId) {
        if (failure == null) return Optional.empty();
        String message = "cannot keep its request records in " + (path == null ? "its data dir" : path) + " (" + (failure.getMessage() == null
                ? failure.getClass().getSimpleName() : failure.getMessage()) + "): the step's requests.jsonl.gz lacks some of its records; its histograms and totals are whole";
        log.error("{}", message);
        return Optional.of(new WorkerFailed(runId, stepId, workerId, WorkerFailed.WRITE_FAILED, message, false));
    }

    /**
     * Closes the file and sends what it holds, in order, a chunk as soon as it is full: only one chunk's records are
     * in memory at a time. Returns how many chunks were sent (at least one, possibly empty, so "none" differs from "lost").
     * Holds no lock while sending (a send may wait for the network): a late record's append returns at once, unwritten.
     */
    public int sendChunks(String runId, String stepId, String workerId, Consumer<RecordChunk> send) {
        Path path;
        synchronized (this) {
            closeQuietly();
            path = this.path;
        }
        ChunkPacker<RequestRecord> packer = new ChunkPacker<>(new RecordChunk(runId, stepId, workerId, Integer.MAX_VALUE, List.of()));
        int sent = 0;
        if (path != null && Files.exists(path)) {
            try (BufferedReader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.isEmpty()) continue;
                    long size = ChunkPacker.wireBytes(line); // the line is the record's JSON exactly as the codec writes it
                    if (!packer.fits(size)) { // cannot happen (a record's fields are bounded far below 1 MB), and is said if it does
                        noteFailure(new IOException("a record of " + size + " bytes does not fit one cluster message; not sent"));
                        continue;
                    }
                    List<RequestRecord> full = packer.add(Json.read(line, RequestRecord.class), size);
                    if (full != null) send.accept(new RecordChunk(runId, stepId, workerId, sent++, full));
                }
            } catch (IOException | IllegalArgumentException e) {
                noteFailure(e instanceof IOException io ? io : new IOException(e.getMessage(), e));
            }
        }
        send.accept(new RecordChunk(runId, stepId, workerId, sent++, packer.finish()));
        if (dataDir == null && path != null) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                // a temporary file left behind: the OS's temp cleaning takes it
            }
        }
        return sent;
    }

    private synchronized void noteFailure(IOException e) {
        if (failure == null) failure = e;
    }

    private void closeQuietly() {
        closed = true;
        if (out == null) return;
        try {
            out.close();
        } catch (IOException e) {
            if (failure == null) failure = e;
        }
        out = null;
    }
}
