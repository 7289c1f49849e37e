package io.tokensiege.common.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/** Turns a Jackson tree (a plan built in code) into {@link YNode}s, within the same {@link TreeLimits} as a file. */
final class JsonTreeReader {
    private final TreeLimits limits;

    private JsonTreeReader(String source) {
        this.limits = new TreeLimits(source);
    }

    static YNode read(JsonNode root, String source) throws PlanException {
        return new JsonTreeReader(source).value(root, "", 0);
    }

    private YNode value(JsonNode n, String path, int depth) throws PlanException {
        limits.enter(depth, 0, 0, path);
        if (n == null || n.isNull() || n.isMissingNode()) return new YNode(YNode.Kind.NULL, path, 0, 0, null, null);
        if (n.isObject()) {
            YNode node = new YNode(YNode.Kind.MAP, path, 0, 0, null, null);
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                node.fields.put(e.getKey(), value(e.getValue(), node.childPath(e.getKey()), depth + 1));
                node.keyLocations.put(e.getKey(), new int[] {0, 0});
            }
            return node;
        }
        if (n.isArray()) {
            YNode node = new YNode(YNode.Kind.LIST, path, 0, 0, null, null);
            for (int i = 0; i < n.size(); i++) node.items.add(value(n.get(i), path + "[" + i + "]", depth + 1));
            return node;
        }
        Object scalar;
        if (n.isBoolean()) scalar = n.booleanValue();
        else if (n.isIntegralNumber()) scalar = n.canConvertToLong() ? (Object) n.longValue() : (Object) n.bigIntegerValue();
        else if (n.isNumber()) scalar = n.doubleValue();
        else scalar = n.asText();
        return new YNode(YNode.Kind.SCALAR, path, 0, 0, scalar, n.asText());
    }
}
