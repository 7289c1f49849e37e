package io.tokensiege.common.metric;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.HdrHistogram.HistogramLogWriter;

/**
 * An HdrHistogram interval log file that does not fail silently. {@link HistogramLogWriter} writes through a
 * {@link PrintStream}, which swallows I/O errors: on a full disk the file stays at 0 bytes and nobody hears of
 * it. This keeps the first error and hands it out after each write ({@link #failure()}).
 */
public final class HlogFile implements AutoCloseable {
    private final Path path;
    private final Noting noting;
    private final PrintStream print;
    private final HistogramLogWriter writer;

    private HlogFile(Path path, OutputStream file) {
        this.path = path;
        this.noting = new Noting(file);
        this.print = new PrintStream(noting, true, StandardCharsets.UTF_8);
        this.writer = new HistogramLogWriter(print);
    }

    /** Creates (or replaces) the file, and its folder. */
    public static HlogFile create(Path path) throws IOException {
        Files.createDirectories(path.getParent());
        return new HlogFile(path, Files.newOutputStream(path));
    }

    public Path path() {
        return path;
    }

    public HistogramLogWriter writer() {
        return writer;
    }

    /** The first write error so far, or null. Flushes first, so an error is seen now and not at close. */
    public IOException failure() {
        if (print.checkError() && noting.first == null) noting.first = new IOException("write failed");
        return noting.first;
    }

    @Override
    public void close() {
        print.close();
    }

    /** Remembers the first IOException that passes through (PrintStream keeps only a flag). */
    private static final class Noting extends FilterOutputStream {
        IOException first;

        Noting(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                if (first == null) first = e;
                throw e;
            }
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                if (first == null) first = e;
                throw e;
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                if (first == null) first = e;
                throw e;
            }
        }
    }
}
