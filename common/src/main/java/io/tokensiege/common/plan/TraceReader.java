package io.tokensiege.common.plan;

import io.tokensiege.common.cluster.MessageSize;
import io.tokensiege.common.json.Json;
import io.tokensiege.common.trace.Trace;
import io.tokensiege.common.trace.TraceRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Reads and validates a JSONL trace (docs/trace-format.md) before anything is sent: every bad line is reported with
 * {@code file:LINE:COLUMN}, its field path and what is wrong, as plan errors are. Bounded before it is read whole: at
 * most {@link TraceText#MAX_BYTES} (16 MB), {@link #MAX_RECORDS} records, and {@link #MAX_LINE_BYTES} per line (a
 * record must also fit one cluster message once encoded, which is checked exactly).
 */
public final class TraceReader {
    public static final List<String> BUILT_IN = List.of("agent-traffic");
    public static final int MAX_RECORDS = 100_000;
    /** 512 KB: about 128,000 tokens of text in one request, and a record must travel in one cluster message. */
    public static final int MAX_LINE_BYTES = 512 << 10;
    /** A record's size as sent to a worker, leaving room in its chunk for the chunk's own fields. */
    public static final long MAX_RECORD_WIRE_BYTES = MessageSize.MAX_WIRE_BYTES - 4096;
    /** The most a trace file may hold (checked before it is read). */
    public static final int MAX_FILE_BYTES = TraceText.MAX_BYTES;
    /** Errors collected before reading stops: enough to see a pattern, without a list as long as the trace. */
    private static final int MAX_ERRORS = 1000;

    private TraceReader() {}

    /** A trace file; {@code file} names it in errors and results. */
    public static Trace read(Path path, String file) throws PlanException {
        return parse(TraceText.read(path, file), file);
    }

    /** A trace shipped in the jar (see {@link #BUILT_IN}). */
    public static Trace builtin(String name) throws PlanException {
        String file = "builtin:" + name;
        if (!BUILT_IN.contains(name)) {
            throw new PlanException(List.of(new PlanError(file, 0, 0, "", "no built-in trace '" + name + "'", "built-in traces: " + String.join(", ", BUILT_IN))));
        }
        try (InputStream in = TraceReader.class.getResourceAsStream("/traces/" + name + ".jsonl")) {
            if (in == null) throw new IllegalStateException("built-in trace " + name + " is missing from the jar");
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A trace's text, as read from {@code file}. */
    public static Trace parse(String text, String file) throws PlanException {
        int tooMany = lineOfRecord(text, MAX_RECORDS + 1);
        if (tooMany > 0) {
            throw new PlanException(List.of(new PlanError(file, tooMany, 1, "", "more than " + MAX_RECORDS + " records",
                    "replay a part of the trace (e.g. head -n " + MAX_RECORDS + "), or convert with --max-records")));
        }
        Fields fields = new Fields(file, null);
        TraceRecordReader reader = new TraceRecordReader(fields);
        List<TraceRecord> records = new ArrayList<>();
        int lineNo = 0;
        int start = 0;
        while (start <= text.length() && fields.errors.size() < MAX_ERRORS) {
            int end = text.indexOf('\n', start);
            if (end < 0) end = text.length();
            String line = text.substring(start, end > start && text.charAt(end - 1) == '\r' ? end - 1 : end);
            start = end + 1;
            lineNo++;
            if (line.isBlank()) continue;
            long bytes = utf8Bytes(line);
            if (bytes > MAX_LINE_BYTES) {
                fields.add(new PlanError(file, lineNo, 1, "", "the line is " + bytes + " bytes; a record has at most " + MAX_LINE_BYTES + " (512 KB)",
                        "shorten this record's messages"));
                continue;
            }
            YNode node = JsonLineReader.read(line, file, lineNo, fields.errors);
            if (node == null) continue;
            TraceRecord r = reader.read(node, lineNo);
            if (r == null) continue;
            long wire = MessageSize.wireBytes(Json.write(r));
            if (wire > MAX_RECORD_WIRE_BYTES) {
                fields.add(new PlanError(file, lineNo, 1, "", "the record is " + wire + " bytes as sent to a worker; one cluster message holds at most "
                        + MAX_RECORD_WIRE_BYTES, "shorten this record's messages (quotes and backslashes count twice)"));
                continue;
            }
            records.add(r);
        }
        if (fields.errors.size() >= MAX_ERRORS) {
            fields.add(new PlanError(file, lineNo, 0, "", "stopped reading after " + MAX_ERRORS + " errors", "is this a JSONL trace (one JSON object per line)?"));
        }
        if (records.isEmpty() && fields.errors.isEmpty()) {
            fields.add(new PlanError(file, 0, 0, "", "the trace holds no records", "one JSON object per line: {\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}"));
        }
        if (!fields.errors.isEmpty()) {
            fields.errors.sort(Comparator.comparingInt(PlanError::line).thenComparingInt(PlanError::column));
            throw new PlanException(fields.errors);
        }
        return new Trace(file, records, reader.timed());
    }

    /** The line on which the {@code n}th record (non-blank line) starts, or 0 when there are fewer: counted before any is parsed. */
    private static int lineOfRecord(String text, int n) {
        int line = 1;
        int records = 0;
        boolean blank = true;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : '\n';
            if (c == '\n') {
                if (!blank && ++records == n) return line;
                line++;
                blank = true;
            } else if (!Character.isWhitespace(c)) {
                blank = false;
            }
        }
        return 0;
    }

    private static long utf8Bytes(String s) {
        long bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3; // a surrogate pair is 4 bytes
        }
        return bytes;
    }
}
