package io.tokensiege.common.plan;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;

/** Reads YAML into {@link YNode}s with locations, using Jackson's streaming YAML parser. */
final class YamlTreeReader {
    private static final YAMLFactory FACTORY = new YAMLFactory();

    private YamlTreeReader() {}

    static YNode read(String text) throws IOException {
        try (JsonParser p = FACTORY.createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == null) return new YNode(YNode.Kind.NULL, "", 1, 1, null);
            return value(p, "");
        }
    }

    private static YNode value(JsonParser p, String path) throws IOException {
        JsonLocation loc = p.currentTokenLocation();
        int line = loc.getLineNr();
        int col = loc.getColumnNr();
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                YNode node = new YNode(YNode.Kind.MAP, path, line, col, null);
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    JsonLocation keyLoc = p.currentTokenLocation();
                    p.nextToken();
                    String childPath = path.isEmpty() ? key : path + "." + key;
                    node.fields.put(key, value(p, childPath));
                    node.keyLocations.put(key, new int[] {keyLoc.getLineNr(), keyLoc.getColumnNr()});
                }
                return node;
            }
            case START_ARRAY -> {
                YNode node = new YNode(YNode.Kind.LIST, path, line, col, null);
                int i = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) node.items.add(value(p, path + "[" + i++ + "]"));
                return node;
            }
            case VALUE_NULL -> {
                return new YNode(YNode.Kind.NULL, path, line, col, null);
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return new YNode(YNode.Kind.SCALAR, path, line, col, p.getBooleanValue());
            }
            case VALUE_NUMBER_INT -> {
                return new YNode(YNode.Kind.SCALAR, path, line, col, p.getLongValue());
            }
            case VALUE_NUMBER_FLOAT -> {
                return new YNode(YNode.Kind.SCALAR, path, line, col, p.getDoubleValue());
            }
            default -> {
                return new YNode(YNode.Kind.SCALAR, path, line, col, p.getText());
            }
        }
    }
}
