package io.tokensiege.worker.record;

import io.tokensiege.common.json.Json;
import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.protocol.ChunkPacker;
import io.tokensiege.common.protocol.RecordChunk;
import io.tokensiege.common.protocol.WorkerFailed;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
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
 * fails (a full disk) cuts the file back to its last whole write, and the records from there on are kept in memory
 * instead: the coordinator still gets every record, and {@link #failureReport} says the local copy is incomplete.
 */
public final class RecordLog {
    private static final Logger log = LoggerFactory.getLogger(RecordLog.class);
    private static final int BUFFER_CHARS = 64 << 10;

    private final Path dataDir;
    private final String runId;
    private final String stepId;
    /** Lines not yet written: text only, so no record object outlives its append. */
    private final StringBuilder pending = new StringBuilder();
    private Path path;
    private FileChannel file;
    private long wholeBytes;
    private boolean closed;
    private IOException failure;
    private List<RequestRecord> inMemory; // only after a failed write
    private int appended;

    private RecordLog(Path dataDir, String runId, String stepId) {
        this.dataDir = dataDir;
        this.runId = runId;
        this.stepId = stepId;
    }

    /** The step's file under {@code dataDir}, or a temporary one when {@code dataDir} is null; created at the first write. */
    public static RecordLog open(Path dataDir, String runId, String stepId) {
        return new RecordLog(dataDir, runId, stepId);
    }

    /** Appends {@code r}; any lane's event loop may call this (buffered: the disk is written every 64 KB). */
    public synchronized void append(RequestRecord r) {
        if (closed) return;
        appended++;
        if (inMemory != null) {
            inMemory.add(r);
            return;
        }
        pending.append(Json.write(r)).append('\n');
        if (pending.length() >= BUFFER_CHARS) flush();
    }

    private void flush() {
        if (pending.isEmpty()) return;
        try {
            if (file == null) file = FileChannel.open(create(), StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
            ByteBuffer bytes = StandardCharsets.UTF_8.encode(CharBuffer.wrap(pending));
            while (bytes.hasRemaining()) file.write(bytes);
            wholeBytes = file.position();
        } catch (IOException e) {
            failure = e;
            inMemory = new ArrayList<>();
            for (String line : pending.toString().split("\n")) if (!line.isEmpty()) inMemory.add(Json.read(line, RequestRecord.class));
            cutToWholeWrites();
        }
        pending.setLength(0);
    }

    private void cutToWholeWrites() {
        if (file == null) return;
        try {
            file.truncate(wholeBytes); // a partly written buffer would send its records twice
        } catch (IOException e) {
            log.debug("cannot cut {} back to {} bytes: {}", path, wholeBytes, e.getMessage());
        }
    }

    private Path create() throws IOException {
        path = dataDir == null ? Files.createTempFile("tokensiege-" + stepId + "-", ".requests.jsonl")
                : Files.createDirectories(dataDir.resolve(runId)).resolve(stepId + ".requests.jsonl");
        if (dataDir == null) path.toFile().deleteOnExit(); // also when the step never got to send it (a timeout, an error)
        return path;
    }

    /** Records appended so far. */
    public synchronized int appended() {
        return appended;
    }

    /** The first write that failed, or null. */
    public synchronized IOException failure() {
        return failure;
    }

    /** The file, once something was written (null before). */
    public synchronized Path path() {
        return path;
    }

    /** What the coordinator must hear when a write failed (logged here too), else empty. */
    public synchronized Optional<WorkerFailed> failureReport(String runId, String stepId, String workerId) {
        if (failure == null) return Optional.empty();
        String message = "cannot write its local copy of the step's request records " + (path == null ? "in its data dir" : path.toString()) + " ("
                + (failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage()) + "): that copy is incomplete; "
                + (inMemory == null ? "some records may be missing from requests.jsonl.gz" : "the records still went to the coordinator (kept in memory)");
        log.error("{}", message);
        return Optional.of(new WorkerFailed(runId, stepId, workerId, WorkerFailed.WRITE_FAILED, message, false));
    }

    /**
     * Closes the file and sends what it holds, in order, a chunk as soon as it is full: only one chunk's records are
     * in memory at a time (besides those a failed write left in memory). Returns how many chunks were sent: at least
     * one, possibly empty, so "none" differs from "lost". Holds no lock while sending (a send may wait for the
     * network): a late record's append returns at once, unwritten.
     */
    public int sendChunks(String runId, String stepId, String workerId, Consumer<RecordChunk> send) {
        Path written;
        List<RequestRecord> kept;
        synchronized (this) {
            close();
            written = path;
            kept = inMemory == null ? List.of() : inMemory;
        }
        ChunkPacker<RequestRecord> packer = new ChunkPacker<>(new RecordChunk(runId, stepId, workerId, Integer.MAX_VALUE, List.of()));
        int[] sent = {0};
        Consumer<RequestRecord> pack = r -> {
            List<RequestRecord> full = packer.add(r, ChunkPacker.wireBytes(Json.write(r)));
            if (full != null) send.accept(new RecordChunk(runId, stepId, workerId, sent[0]++, full));
        };
        if (written != null && Files.exists(written)) {
            try (BufferedReader in = Files.newBufferedReader(written, StandardCharsets.UTF_8)) {
                for (String line; (line = in.readLine()) != null; ) if (!line.isEmpty()) pack.accept(Json.read(line, RequestRecord.class));
            } catch (IOException | IllegalArgumentException e) {
                noteFailure(e instanceof IOException io ? io : new IOException(e.getMessage(), e));
            }
        }
        kept.forEach(pack);
        send.accept(new RecordChunk(runId, stepId, workerId, sent[0]++, packer.finish()));
        if (dataDir == null && written != null) {
            try {
                Files.deleteIfExists(written);
            } catch (IOException e) {
                // a temporary file left behind: the OS's temp cleaning takes it
            }
        }
        return sent[0];
    }

    private synchronized void noteFailure(IOException e) {
        if (failure == null) failure = e;
    }

    private void close() {
        if (closed) return;
        flush();
        closed = true;
        if (file == null) return;
        try {
            file.close();
        } catch (IOException e) {
            if (failure == null) failure = e;
        }
        file = null;
    }
}
