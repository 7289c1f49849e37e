package io.tokensiege.common.security;

import java.util.regex.Pattern;

/**
 * A server's words made safe to print: what a terminal would obey (ESC sequences that clear the screen, write the
 * clipboard or colour a fake verdict; C1 controls; a carriage return that overwrites a line; bidirectional overrides
 * that reorder what is read) is shown as a visible {@code \\uXXXX} instead.
 */
public final class Printable {
    /** Control characters (line feeds and tabs aside) and format characters that change how the rest of a line reads. */
    private static final Pattern UNSAFE = Pattern.compile("[\\x00-\\x08\\x0B-\\x1F\\x7F-\\x9F\\u202A-\\u202E\\u2066-\\u2069]");
    private static final Pattern BREAKS = Pattern.compile("\\r\\n|[\\t\\r\\n]");

    private Printable() {}

    /** On one line, so one error stays one line of a table: line breaks and tabs become spaces. */
    public static String of(String text) {
        return text == null ? null : keepingLines(BREAKS.matcher(text).replaceAll(" "));
    }

    /** The same, with line feeds and tabs kept (a CRLF becomes a line feed): a page of several lines, a chat template. */
    public static String keepingLines(String text) {
        if (text == null) return null;
        return UNSAFE.matcher(text.replace("\r\n", "\n")).replaceAll(m -> String.format("\\\\u%04X", (int) m.group().charAt(0)));
    }
}
