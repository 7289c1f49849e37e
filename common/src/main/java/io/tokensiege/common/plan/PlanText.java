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
 * A plan's bytes made text, refusing before any parsing what no plan can be: more than {@link #MAX_BYTES}
 * (a file's size is checked before it is read; a stream is read to at most one byte past the bound), or
 * bytes that are not UTF-8 (named by byte offset, line and column).
 */
public final class PlanText {
    /** 1 MB: the agent-serving plan is 2 KB; parsing a 10 MB plan took 22.8 s just to reject it. */
    public static final int MAX_BYTES = 1024 * 1024;

    private PlanText() {}

    static String read(Path path, String file) throws PlanException {
        try {
            long size = Files.size(path);
            if (size > MAX_BYTES) throw tooLarge(file, size);
            try (InputStream in = Files.newInputStream(path)) {
                return decode(readBounded(in, file), file);
            }
        } catch (NoSuchFileException e) {
            throw new PlanException(List.of(new PlanError(file, 0, 0, "", "plan file not found",
                    "give a path to a YAML plan, or a built-in plan name: " + String.join(", ", PlanReader.BUILT_IN))));
        } catch (IOException e) {
            throw new PlanException(List.of(new PlanError(file, 0, 0, "", "cannot read plan file: " + e.getMessage(), null)));
        }
    }

    /** At most {@link #MAX_BYTES} + 1 bytes from {@code in}: the one extra byte is how a stream that is too long is told apart. */
    static byte[] readBounded(InputStream in, String file) throws IOException, PlanException {
        byte[] bytes = in.readNBytes(MAX_BYTES + 1);
        if (bytes.length > MAX_BYTES) throw tooLarge(file, -1);
        return bytes;
    }

    /** Strict UTF-8 (a leading byte-order mark is dropped); the first bad byte is reported, never replaced. */
    static String decode(byte[] bytes, String file) throws PlanException {
        if (bytes.length > MAX_BYTES) throw tooLarge(file, bytes.length);
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length); // UTF-8 never decodes to more chars than bytes
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) result = decoder.flush(out);
        String text = out.flip().toString();
        if (result.isError()) {
            int offset = in.position(); // the decoder stops at the first byte of the bad sequence
            int line = 1 + (int) text.chars().filter(c -> c == '\n').count();
            int column = text.length() - text.lastIndexOf('\n');
            throw new PlanException(List.of(new PlanError(file, line, column, "",
                    String.format("not UTF-8: byte 0x%02X at byte offset %d is not valid UTF-8", bytes[offset] & 0xFF, offset),
                    "save the plan as UTF-8 (e.g. iconv -f latin1 -t utf-8 old.yaml > plan.yaml)")));
        }
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    /** Refuses text over the bound, counted in UTF-8 bytes as a file would be. */
    static void checkSize(String text, String file) throws PlanException {
        if (text.length() > MAX_BYTES) throw tooLarge(file, -1);
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3; // a surrogate pair is 4 bytes
        }
        if (bytes > MAX_BYTES) throw tooLarge(file, bytes);
    }

    private static PlanException tooLarge(String file, long size) {
        return new PlanException(List.of(new PlanError(file, 0, 0, "",
                "plan is larger than " + MAX_BYTES + " bytes (1 MB)" + (size >= 0 ? ": " + size + " bytes" : ""),
                "a plan names targets, scenarios and load levels; even a large one is a few KB")));
    }
}
