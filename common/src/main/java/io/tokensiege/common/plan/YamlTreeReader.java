package io.tokensiege.common.plan;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads YAML into {@link YNode}s with locations, using Jackson's streaming YAML parser, and refuses what
 * YAML allows but a plan must not hold, where Jackson would silently pick one reading: a key given twice
 * (the last would win), a second document (it would be ignored), aliases (read as the anchor's name) and
 * unknown tags (dropped). Integers too large for a long stay BigInteger and .nan/.inf become doubles, so
 * the schema refuses them by field with a clear range instead of a parser error.
 */
final class YamlTreeReader {
    /** An integer written with a leading zero (010, -07): octal to YAML 1.1, decimal to YAML 1.2. */
    static final java.util.regex.Pattern LEADING_ZERO = java.util.regex.Pattern.compile("[-+]?0[0-9_]+");
    private static final YAMLFactory FACTORY = new YAMLFactory();
    private static final Pattern SPECIAL_FLOAT = Pattern.compile("([-+]?)\\.(nan|NaN|NAN|inf|Inf|INF)");
    private static final String STANDARD_TAG = "tag:yaml.org,2002:";

    private final String text;
    private final String file;
    private final TreeLimits limits;
    private final List<PlanError> errors = new ArrayList<>();

    private YamlTreeReader(String text, String file) {
        this.text = text;
        this.file = file;
        this.limits = new TreeLimits(file);
    }

    /** The tree of {@code text}; what YAML allows but a plan refuses is added to {@code errors}. */
    static YNode read(String text, String file, List<PlanError> errors) throws IOException, PlanException {
        YamlTreeReader reader = new YamlTreeReader(text, file);
        YNode root = reader.read();
        errors.addAll(reader.errors);
        return root;
    }

    private YNode read() throws IOException, PlanException {
        refuseUnprintable();
        try (JsonParser p = FACTORY.createParser(text)) {
            if (p.nextToken() == null) return new YNode(YNode.Kind.NULL, "", 1, 1, null, null);
            YNode root = value(p, "", 0);
            if (p.nextToken() != null) secondDocument(p.currentTokenLocation().getLineNr());
            return root;
        }
    }

    private YNode value(JsonParser p, String path, int depth) throws IOException, PlanException {
        JsonLocation loc = p.currentTokenLocation();
        int line = loc.getLineNr();
        int col = loc.getColumnNr();
        limits.enter(depth, line, col, path);
        Object tag = p.getTypeId();
        if (tag != null && !tag.toString().startsWith(STANDARD_TAG)) error(line, col, path, "YAML tag '!" + tag + "' is not supported in plans", "remove the tag");
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                YNode node = new YNode(YNode.Kind.MAP, path, line, col, null, null);
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    JsonLocation keyLoc = p.currentTokenLocation();
                    p.nextToken();
                    YNode child = value(p, node.childPath(key), depth + 1);
                    int[] first = node.keyLocations.get(key);
                    if (first != null) {
                        error(keyLoc.getLineNr(), keyLoc.getColumnNr(), node.childPath(key), "duplicate key '" + key + "': given at line " + first[0]
                                + " and again at line " + keyLoc.getLineNr() + " (YAML would silently keep only the last)", "keep one of the two");
                        continue;
                    }
                    node.fields.put(key, child);
                    node.keyLocations.put(key, new int[] {keyLoc.getLineNr(), keyLoc.getColumnNr()});
                }
                return node;
            }
            case START_ARRAY -> {
                YNode node = new YNode(YNode.Kind.LIST, path, line, col, null, null);
                int i = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) node.items.add(value(p, path + "[" + i++ + "]", depth + 1));
                return node;
            }
            case VALUE_NULL -> {
                return new YNode(YNode.Kind.NULL, path, line, col, null, p.getText());
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return new YNode(YNode.Kind.SCALAR, path, line, col, p.getBooleanValue(), p.getText());
            }
            case VALUE_NUMBER_INT -> {
                // YAML 1.1 reads 010 as octal 8, YAML 1.2 as 10: neither is a guess to make. It stays text, which a
                // number field refuses with its reason and a text field (a header value) keeps as written.
                if (LEADING_ZERO.matcher(p.getText()).matches()) return new YNode(YNode.Kind.SCALAR, path, line, col, p.getText(), p.getText());
                Number n = p.getNumberValue();
                Object v = n instanceof BigInteger big && big.bitLength() >= 64 ? big : (Object) n.longValue();
                return new YNode(YNode.Kind.SCALAR, path, line, col, v, p.getText());
            }
            case VALUE_NUMBER_FLOAT -> {
                return new YNode(YNode.Kind.SCALAR, path, line, col, floatValue(p), p.getText());
            }
            case VALUE_EMBEDDED_OBJECT -> {
                error(line, col, path, "binary values (!!binary) are not supported in plans", null);
                return new YNode(YNode.Kind.NULL, path, line, col, null, null);
            }
            default -> {
                if (p instanceof com.fasterxml.jackson.dataformat.yaml.YAMLParser y && y.isCurrentAlias()) {
                    error(line, col, path, "YAML aliases (*" + p.getText() + ") are not supported in plans", "write the value out where it is used");
                }
                return new YNode(YNode.Kind.SCALAR, path, line, col, p.getText(), p.getText());
            }
        }
    }

    private static double floatValue(JsonParser p) throws IOException {
        var m = SPECIAL_FLOAT.matcher(p.getText());
        if (!m.matches()) return p.getDoubleValue(); // 1e999 is Infinity, refused by the schema like .inf
        if (m.group(2).equalsIgnoreCase("nan")) return Double.NaN;
        return m.group(1).equals("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    /**
     * YAML forbids raw control characters (they must be escapes in a double-quoted string); SnakeYAML says so
     * without a position, so this says where.
     */
    private void refuseUnprintable() throws PlanException {
        int line = 1;
        int column = 1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
                column = 1;
                continue;
            }
            boolean printable = c == '\t' || c == '\r' || (c >= 0x20 && c <= 0x7E) || c == 0x85 || (c >= 0xA0 && c <= 0xD7FF)
                    || (c >= 0xE000 && c <= 0xFFFD) || Character.isSurrogate(c);
            if (!printable) {
                throw new PlanException(List.of(new PlanError(file, line, column, "", String.format("the control character U+%04X is not allowed in YAML", (int) c),
                        "remove it; inside a double-quoted string it may be written as an escape such as \\t")));
            }
            column++;
        }
    }

    /** The '---' line that starts the next document, which Jackson reports only by the first value after it. */
    private void secondDocument(int valueLine) {
        List<String> lines = text.lines().toList();
        int marker = valueLine;
        for (int i = Math.min(valueLine, lines.size()) - 1; i >= 0; i--) {
            if (lines.get(i).startsWith("---")) {
                marker = i + 1;
                break;
            }
        }
        error(marker, 1, "", "a plan is one YAML document, but a second one starts here ('---'); it would be ignored",
                "remove this '---' and what follows, or merge the two into one plan");
    }

    private void error(int line, int column, String path, String message, String hint) {
        errors.add(new PlanError(file, line, column, path, message, hint));
    }
}
