package io.tokensiege.common.plan;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * A trace file's bytes made text, refusing before any parsing what no trace may be: more than {@link #MAX_BYTES} (a
 * file's size is checked before it is read) or bytes that are not UTF-8 (named by line, column and byte offset).
 */
final class TraceText {
    /** 16 MB: a worker holds its share in memory, and every step sends it over the cluster again. */
    static final int MAX_BYTES = 16 << 20;

    private TraceText() {}

    static String read(Path path, String file) throws PlanException {
        try {
            long size = Files.size(path);
            if (size > MAX_BYTES) throw tooLarge(file, size);
            try (InputStream in = Files.newInputStream(path)) {
                byte[] bytes = in.readNBytes(MAX_BYTES + 1); // the file may have grown since its size was read
                if (bytes.length > MAX_BYTES) throw tooLarge(file, bytes.length);
                return decode(bytes, file);
            }
        } catch (NoSuchFileException e) {
            throw new PlanException(List.of(new PlanError(file, 0, 0, "", "trace file not found",
                    "a trace file is named relative to the plan's folder; built-in traces: " + String.join(", ", TraceReader.BUILT_IN))));
        } catch (IOException e) {
            throw new PlanException(List.of(new PlanError(file, 0, 0, "", "cannot read trace file: " + e.getMessage(), null)));
        }
    }

    /** Strict UTF-8 (a leading byte-order mark is dropped); the first bad byte is reported, never replaced. */
    static String decode(byte[] bytes, String file) throws PlanException {
        if (bytes.length > MAX_BYTES) throw tooLarge(file, bytes.length);
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) result = decoder.flush(out);
        String text = out.flip().toString();
        if (result.isError()) {
            int offset = in.position();
            int line = 1 + (int) text.chars().filter(c -> c == '\n').count();
            int column = text.length() - text.lastIndexOf('\n');
            throw new PlanException(List.of(new PlanError(file, line, column, "",
                    String.format("not UTF-8: byte 0x%02X at byte offset %d is not valid UTF-8", bytes[offset] & 0xFF, offset),
                    "save the trace as UTF-8 (e.g. iconv -f latin1 -t utf-8 old.jsonl > trace.jsonl)")));
        }
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    private static PlanException tooLarge(String file, long size) {
        return new PlanException(List.of(new PlanError(file, 0, 0, "", "trace is larger than " + MAX_BYTES + " bytes (16 MB): " + size + " bytes",
                "replay a part of it (e.g. head -n 10000 big.jsonl > part.jsonl), or convert with --max-records")));
    }
}
