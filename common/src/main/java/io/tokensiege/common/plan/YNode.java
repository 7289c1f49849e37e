package io.tokensiege.common.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed plan value that remembers where it stood (line, column; 0 for a plan built in code) and its
 * field path, so every validation error can name both. A scalar keeps the text it was written as, so a
 * text field reads {@code model: 3.10} as "3.10", not as the number 3.1.
 */
final class YNode {
    enum Kind { MAP, LIST, SCALAR, NULL }

    private static final int DESCRIBE_MAX_CHARS = 60;

    final Kind kind;
    final String path;
    final int line;
    final int column;
    final Map<String, YNode> fields = new LinkedHashMap<>();
    final Map<String, int[]> keyLocations = new LinkedHashMap<>();
    final List<YNode> items = new ArrayList<>();
    final Object scalar;
    final String text;

    YNode(Kind kind, String path, int line, int column, Object scalar, String text) {
        this.kind = kind;
        this.path = path;
        this.line = line;
        this.column = column;
        this.scalar = scalar;
        this.text = text;
    }

    YNode get(String key) {
        return fields.get(key);
    }

    /** The value as text, as it was written. */
    String asText() {
        return text != null ? text : String.valueOf(scalar);
    }

    String childPath(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    String describe() {
        return switch (kind) {
            case MAP -> "a mapping";
            case LIST -> items.isEmpty() ? "an empty list" : "a list";
            case NULL -> "nothing";
            case SCALAR -> scalar instanceof String s ? "the text '" + shortened(s) + "'" : "the value " + shortened(asText());
        };
    }

    /** Long values are cut in messages: an error line should not repeat a megabyte of input. */
    private static String shortened(String s) {
        return s.length() <= DESCRIBE_MAX_CHARS ? s : s.substring(0, DESCRIBE_MAX_CHARS) + "... (" + s.length() + " characters)";
    }
}
