package io.tokensiege.simulator.profile;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tokensiege.common.plan.SimulatorProfiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads the built-in profiles from {@code /profiles/NAME.yaml}. A profile may {@code extends} another;
 * fields are merged key by key, and callers may override any field the same way (e.g.
 * {@code engine.slots=8}).
 */
public final class Profiles {
    /** The list lives in common, so a plan's profile is checked with the plan; ProfilesTest checks each has its resource. */
    public static final List<String> BUILT_IN = SimulatorProfiles.BUILT_IN;

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .configure(DeserializationFeature.ACCEPT_FLOAT_AS_INT, false); // engine.slots: 2.5 is a mistake, not 2

    private Profiles() {}

    public static Profile load(String name) {
        return load(name, Map.of());
    }

    /** Loads {@code name} and applies dotted overrides such as {@code engine.slots -> 8}. */
    public static Profile load(String name, Map<String, Object> overrides) {
        ObjectNode tree = resolve(name, new ArrayList<>());
        try {
            return apply(tree, overrides);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("profile '" + name + "' is invalid: " + e.getMessage(), e);
        }
    }

    /**
     * What is wrong with {@code overrides} of profile {@code name}: by field for one that names nothing, holds the wrong kind
     * of value, or is refused by its profile alone and together with the rest too; under "" for overrides each valid alone
     * that are not together. Empty when they apply.
     */
    public static Map<String, String> overrideProblems(String name, Map<String, Object> overrides) {
        ObjectNode base = resolve(name, new ArrayList<>());
        Map<String, String> problems = new LinkedHashMap<>();
        Map<String, String> refusedAlone = new LinkedHashMap<>();
        Map<String, Object> wellFormed = new LinkedHashMap<>();
        overrides.forEach((path, value) -> {
            try {
                apply(base.deepCopy(), Collections.singletonMap(path, value));
                wellFormed.put(path, value);
            } catch (OverrideException e) {
                if (e.refusedValue) { // perhaps only with this profile's other values: judged with the other overrides below
                    refusedAlone.put(path, e.getMessage());
                    wellFormed.put(path, value);
                } else {
                    problems.put(path, e.getMessage());
                }
            }
        });
        try {
            apply(base.deepCopy(), wellFormed);
        } catch (OverrideException e) {
            String field = refusedAlone.entrySet().stream().filter(r -> r.getValue().equals(e.getMessage())).map(Map.Entry::getKey).findFirst().orElse("");
            problems.put(field, e.getMessage());
        }
        return problems;
    }

    private static Profile apply(ObjectNode tree, Map<String, Object> overrides) {
        overrides.forEach((path, value) -> set(tree, path, value));
        try {
            return YAML.treeToValue(tree, Profile.class);
        } catch (JsonMappingException e) {
            throw new OverrideException(ProfileErrors.describe(e), e instanceof ValueInstantiationException);
        } catch (IOException e) {
            throw new OverrideException(rootMessage(e), false);
        }
    }

    /** An override that does not apply; {@code refusedValue}: well formed, but a value the profile's own checks refuse. */
    private static final class OverrideException extends IllegalArgumentException {
        final boolean refusedValue;

        OverrideException(String message, boolean refusedValue) {
            super(message);
            this.refusedValue = refusedValue;
        }
    }

    private static ObjectNode resolve(String name, List<String> seen) {
        if (seen.contains(name)) throw new IllegalArgumentException("profile inheritance loops: " + seen + " -> " + name);
        seen.add(name);
        ObjectNode own = read(name);
        JsonNode parentName = own.remove("extends");
        if (parentName == null || parentName.isNull()) return own;
        ObjectNode merged = resolve(parentName.asText(), seen);
        merge(merged, own);
        return merged;
    }

    private static ObjectNode read(String name) {
        try (InputStream in = Profiles.class.getResourceAsStream("/profiles/" + name + ".yaml")) {
            if (in == null) {
                throw new IllegalArgumentException("unknown simulator profile '" + name + "'; built-in profiles: " + String.join(", ", BUILT_IN));
            }
            return (ObjectNode) YAML.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read profile " + name, e);
        }
    }

    private static void merge(ObjectNode base, ObjectNode top) {
        top.fields().forEachRemaining(e -> {
            JsonNode existing = base.get(e.getKey());
            if (existing instanceof ObjectNode baseChild && e.getValue() instanceof ObjectNode topChild) merge(baseChild, topChild);
            else base.set(e.getKey(), e.getValue());
        });
    }

    private static void set(ObjectNode tree, String dottedPath, Object value) {
        String[] parts = dottedPath.split("\\.");
        ObjectNode node = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = node.get(parts[i]);
            if (child != null && !child.isObject()) {
                throw new OverrideException("'" + String.join(".", java.util.Arrays.copyOf(parts, i + 1)) + "' is a single value, not a group of fields,"
                        + " so '" + dottedPath + "' names nothing", false);
            }
            node = node.with(parts[i]);
        }
        node.set(parts[parts.length - 1], YAML.valueToTree(value));
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null && e.getCause() != e) e = e.getCause();
        String m = e.getMessage();
        int nl = m == null ? -1 : m.indexOf('\n');
        return nl > 0 ? m.substring(0, nl) : m;
    }
}
