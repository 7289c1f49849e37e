package io.tokensiege.common.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed YAML value that remembers where it stood (line, column) and its field path, so every
 * validation error can name both.
 */
final class YNode {
    enum Kind { MAP, LIST, SCALAR, NULL }

    final Kind kind;
    final String path;
    final int line;
    final int column;
    final Map<String, YNode> fields = new LinkedHashMap<>();
    final Map<String, int[]> keyLocations = new LinkedHashMap<>();
    final List<YNode> items = new ArrayList<>();
    final Object scalar;

    YNode(Kind kind, String path, int line, int column, Object scalar) {
        this.kind = kind;
        this.path = path;
        this.line = line;
        this.column = column;
        this.scalar = scalar;
    }

    YNode get(String key) {
        return fields.get(key);
    }

    String describe() {
        return switch (kind) {
            case MAP -> "a mapping";
            case LIST -> "a list";
            case NULL -> "nothing";
            case SCALAR -> scalar instanceof String ? "the text '" + scalar + "'" : "the value " + scalar;
        };
    }
}
