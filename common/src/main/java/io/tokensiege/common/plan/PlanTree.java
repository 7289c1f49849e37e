package io.tokensiege.common.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * A plan built in code rather than read from a file (e.g. {@code quick}'s options), validated by
 * {@link PlanReader#read} exactly like a file. Values are data, never YAML text, so no quoting can
 * change them. {@code optionByPath} names where each field came from (e.g. {@code targets[0].url ->
 * --url}), so an error says {@code --url: ...} rather than pointing at a plan line the user never wrote.
 *
 * @param root         the plan as a Jackson tree (ObjectNode, ArrayNode, text, numbers, booleans)
 * @param source       where the plan came from, for errors without an option (e.g. "quick (command line)")
 * @param optionByPath field path (or a prefix of one) to the option that supplied it
 */
public record PlanTree(JsonNode root, String source, Map<String, String> optionByPath) {
    private static final YAMLMapper YAML = new YAMLMapper();

    public PlanTree {
        optionByPath = Map.copyOf(optionByPath);
    }

    /** The plan as YAML, saved as the run's plan.yaml; written by Jackson, so every value is quoted as it needs. */
    String yaml() {
        try {
            return YAML.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The option that supplied the field at {@code path}: the longest entry that is the path or contains it. */
    String optionFor(String path) {
        String best = null;
        int bestLength = -1;
        for (var e : optionByPath.entrySet()) {
            String p = e.getKey();
            boolean covers = path.equals(p) || path.startsWith(p + ".") || path.startsWith(p + "[");
            if (covers && p.length() > bestLength) {
                best = e.getValue();
                bestLength = p.length();
            }
        }
        return best;
    }
}
