package io.tokensiege.coordinator.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a run directory's files so that a failed write (a full disk) is never silent: it is logged and handed to the
 * {@link #onFailure listener} once per file and cause, and from then on the bulky files stop ({@link #bulkStopped()}) and a
 * small space reserve ({@value #RESERVE_BYTES} bytes, set aside when the directory was created) is given back, so that run.json
 * and failures.jsonl can still say what happened.
 */
final class DiskWrites {
    private static final Logger log = LoggerFactory.getLogger(DiskWrites.class);
    static final int RESERVE_BYTES = 64 * 1024;
    private static final String RESERVE = ".space-reserve";

    private final Path dir;
    private final List<String> errors = new ArrayList<>();
    private Consumer<String> listener = message -> {};
    private boolean reportingFailure;
    private boolean bulkStopped;

    /** Writes into {@code dir}, setting aside a little space there where there is room. */
    DiskWrites(Path dir) {
        this.dir = dir;
        reserveSpace();
    }

    private void reserveSpace() {
        Path reserve = dir.resolve(RESERVE);
        try {
            if (Files.getFileStore(dir).getUsableSpace() < 2L * RESERVE_BYTES) return; // a disk this full gets no reserve taken from it
            Files.write(reserve, new byte[RESERVE_BYTES]); // zeros actually written, so the blocks are taken
        } catch (IOException e) {
            try {
                Files.deleteIfExists(reserve);
            } catch (IOException ignored) {
                // nothing set aside: a later full disk is still reported, only run.json may not say so
            }
        }
    }

    /** Told of each write that failed (once per file and reason), on the thread that wrote; the message names file and cause. */
    void onFailure(Consumer<String> listener) {
        this.listener = listener;
    }

    /** Whether a write failed: the bulky files (hlog intervals, request records) are no longer written. */
    boolean bulkStopped() {
        return bulkStopped;
    }

    /** Every failed write, in words, in order. */
    List<String> errors() {
        return errors;
    }

    /** Writes via a temporary file and an atomic move, so a crash never leaves half a file. */
    void write(String name, String content) {
        Path tmp = dir.resolve(name + ".tmp");
        try {
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp); // half a file would hold on to space the next write needs
            } catch (IOException ignored) {
                // reported below with the write itself
            }
            error(name, e);
        }
    }

    /** Appends {@code text} to the file {@code name}, creating it. */
    void append(String name, String text) {
        try {
            Files.writeString(dir.resolve(name), text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            error(name, e);
        }
    }

    /**
     * A write failed: said once per file and cause, in the log and to the listener (which records a failure; that failure's own
     * append to failures.jsonl may fail in turn, and is then only logged). The bulky files stop, and the reserve goes to run.json.
     */
    void error(String what, Exception e) {
        String msg = "cannot write " + what + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        if (errors.contains(msg)) return;
        errors.add(msg);
        log.error("{} in {}; results stay in memory and in the files already written", msg, dir);
        if (!bulkStopped) {
            bulkStopped = true;
            releaseReserve();
        }
        if (reportingFailure) return;
        reportingFailure = true;
        try {
            listener.accept(msg);
        } finally {
            reportingFailure = false;
        }
    }

    /** Gives the reserve back: the run is over, or the disk is full. */
    void releaseReserve() {
        try {
            Files.deleteIfExists(dir.resolve(RESERVE));
        } catch (IOException e) {
            log.debug("cannot remove {} in {}: {}", RESERVE, dir, e.getMessage());
        }
    }

    /** {@code file}'s path inside the run directory, for messages. */
    String relative(Path file) {
        return dir.relativize(file).toString();
    }
}
