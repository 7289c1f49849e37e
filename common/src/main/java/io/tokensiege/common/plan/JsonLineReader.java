package io.tokensiege.common.plan;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.math.BigInteger;
import java.util.List;

/**
 * Reads one line of a JSONL file into {@link YNode}s placed at that line and their column, so a trace record is
 * checked by the same {@link Fields} as a plan. Refuses, with the column, what JSON allows but a record must not
 * hold: a key given twice (the last would silently win), anything after the value, and nesting deeper than
 * {@link #MAX_DEPTH}.
 */
final class JsonLineReader {
    static final int MAX_DEPTH = 32;
    private static final JsonFactory FACTORY = new JsonFactory();

    private final String file;
    private final int line;
    private final List<PlanError> errors;

    private JsonLineReader(String file, int line, List<PlanError> errors) {
        this.file = file;
        this.line = line;
        this.errors = errors;
    }

    /** The value on {@code text} (line {@code line} of {@code file}), or null when it is not JSON (the error is added). */
    static YNode read(String text, String file, int line, List<PlanError> errors) {
        JsonLineReader reader = new JsonLineReader(file, line, errors);
        try (JsonParser p = FACTORY.createParser(text)) {
            if (p.nextToken() == null) {
                reader.error(null, "", "an empty record", "each line is one JSON object; blank lines are skipped");
                return null;
            }
            YNode root = reader.value(p, "", 0);
            if (root != null && p.nextToken() != null) {
                reader.error(p.currentTokenLocation(), "", "more after the record: each line holds exactly one JSON object", null);
                return null;
            }
            return root;
        } catch (JsonProcessingException e) {
            String message = e.getOriginalMessage().replaceAll("\\s*\\(for \\w+ starting at \\[Source:.*?\\]\\)", ""); // where, we say ourselves
            if (message.length() > 160) message = message.substring(0, 160) + "...";
            reader.error(e.getLocation(), "", "not JSON: " + message.replace('\n', ' '), "each line is one JSON object, e.g. {\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
            return null;
        } catch (IOException e) {
            reader.error(null, "", "cannot parse: " + e.getMessage(), null);
            return null;
        }
    }

    private YNode value(JsonParser p, String path, int depth) throws IOException {
        JsonLocation loc = p.currentTokenLocation();
        int col = loc.getColumnNr();
        if (depth > MAX_DEPTH) {
            error(loc, path, "the record nests deeper than " + MAX_DEPTH + " levels", "a record needs a handful of levels (tool schemas a few more)");
            p.skipChildren();
            return new YNode(YNode.Kind.NULL, path, line, col, null, null);
        }
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                YNode node = new YNode(YNode.Kind.MAP, path, line, col, null, null);
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    JsonLocation keyLoc = p.currentTokenLocation();
                    p.nextToken();
                    YNode child = value(p, node.childPath(key), depth + 1);
                    if (node.keyLocations.containsKey(key)) {
                        error(keyLoc, node.childPath(key), "duplicate key '" + key + "' (JSON would silently keep only the last)", "keep one of the two");
                        continue;
                    }
                    node.fields.put(key, child);
                    node.keyLocations.put(key, new int[] {line, keyLoc.getColumnNr()});
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
                return new YNode(YNode.Kind.NULL, path, line, col, null, "null");
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return new YNode(YNode.Kind.SCALAR, path, line, col, p.getBooleanValue(), p.getText());
            }
            case VALUE_NUMBER_INT -> {
                Number n = p.getNumberValue();
                Object v = n instanceof BigInteger big && big.bitLength() >= 64 ? big : (Object) n.longValue();
                return new YNode(YNode.Kind.SCALAR, path, line, col, v, p.getText());
            }
            case VALUE_NUMBER_FLOAT -> {
                return new YNode(YNode.Kind.SCALAR, path, line, col, p.getDoubleValue(), p.getText());
            }
            default -> {
                return new YNode(YNode.Kind.SCALAR, path, line, col, p.getText(), p.getText());
            }
        }
    }

    private void error(JsonLocation loc, String path, String message, String hint) {
        errors.add(new PlanError(file, line, loc == null ? 0 : loc.getColumnNr(), path, message, hint));
    }
}
