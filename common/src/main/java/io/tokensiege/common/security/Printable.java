package io.tokensiege.common.security;

import java.util.regex.Pattern;

/**
 * A server's words made safe to print: what a terminal would obey (ESC sequences that clear the screen, write the
 * clipboard or colour a fake verdict; C1 controls; bidirectional overrides that reorder what is read) is shown as a
 * visible {@code \\uXXXX} instead, and line breaks and tabs become spaces, so one error stays one line of a table.
 */
public final class Printable {
    /** Control characters and format characters that change how the rest of a line reads (U+202A–E, U+2066–9). */
    private static final Pattern UNSAFE = Pattern.compile("[\\x00-\\x08\\x0B-\\x0C\\x0E-\\x1F\\x7F-\\x9F\\u202A-\\u202E\\u2066-\\u2069]");
    private static final Pattern BREAKS = Pattern.compile("[\\t\\r\\n]");
    /** The same characters written as JSON escapes, which a JSON reader would turn back into them. */
    private static final Pattern ESCAPED = Pattern.compile("\\\\u(00[01][0-9a-fA-F]|007[fF]|00[89][0-9a-fA-F]|202[a-eA-E]|206[6-9])");

    private Printable() {}

    public static String of(String text) {
        return text == null ? null : keepingLines(BREAKS.matcher(text).replaceAll(" "));
    }

    /** The same, with line breaks and tabs kept: a page of several lines (Prometheus metrics, JSON). */
    public static String keepingLines(String text) {
        if (text == null) return null;
        return UNSAFE.matcher(text).replaceAll(m -> String.format("\\\\u%04X", (int) m.group().charAt(0)));
    }

    /**
     * A page of several lines, whose JSON strings would decode to unsafe characters: those escapes are spelled out
     * instead (still valid JSON, and still the same text where it is not JSON).
     */
    public static String ofPage(String json) {
        if (json == null) return null;
        return keepingLines(ESCAPED.matcher(json).replaceAll(m -> "\\\\\\\\u" + m.group(1).toUpperCase(java.util.Locale.ROOT)));
    }
}
