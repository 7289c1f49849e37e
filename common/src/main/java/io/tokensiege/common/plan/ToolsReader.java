package io.tokensiege.common.plan;

import io.tokensiege.common.chat.ToolCatalog;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a scenario's tools: {@code tools} (the word {@code builtin}, or a list of OpenAI function schemas),
 * {@code tool_choice} ({@code auto}, {@code none}, {@code required}, or a named function), {@code tool_turns} (turns
 * that ask for a tool call) and {@code tool_result_tokens}. Every mistake is recorded with its place.
 */
final class ToolsReader {
    static final Set<String> CHOICES = Set.of("auto", "none", "required");
    static final List<String> KEYS = List.of("tools", "tool_choice", "tool_turns", "tool_result_tokens");
    private final Fields fields;

    ToolsReader(Fields fields) {
        this.fields = fields;
    }

    /** The scenario's tools, or null when it declares none (then the other tool keys are mistakes). */
    Scenario.Tools read(YNode scenario, int turns, boolean sessions) {
        YNode t = scenario.get("tools");
        if (t == null) {
            for (String k : KEYS) if (scenario.get(k) != null) fields.error(scenario.get(k), k + " needs tools", "add tools: builtin, or a list of function schemas");
            return null;
        }
        if (!sessions) fields.error(t, "tools are for agent sessions", "give the scenario a prefix and load: { sessions: [1, 2, 4], duration: 60s }");
        List<Map<String, Object>> schemas = schemas(t);
        Object choice = choice(scenario.get("tool_choice"), schemas);
        List<Integer> required = new ArrayList<>();
        YNode tt = scenario.get("tool_turns");
        if (tt != null) {
            for (YNode item : tt.kind == YNode.Kind.LIST ? tt.items : List.of(tt)) {
                if (item.scalar instanceof Long v && v >= 1 && v <= turns) required.add(v.intValue());
                else fields.error(item, "a tool turn is a turn number from 1 to " + turns + ", not " + item.describe(), "e.g. tool_turns: [2, 4]");
            }
        }
        return new Scenario.Tools(schemas, choice, List.copyOf(required), (int) fields.integer(scenario, "tool_result_tokens", 200, 1, 100_000));
    }

    /** The schemas of {@code tools}: the word builtin, or a list of function schemas (a trace record's tools too). */
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> schemas(YNode t) {
        if (t.kind == YNode.Kind.SCALAR && ToolCatalog.BUILTIN.equals(t.scalar)) return ToolCatalog.builtin();
        if (t.kind != YNode.Kind.LIST || t.items.isEmpty()) {
            fields.error(t, "tools must be 'builtin' or a list of OpenAI function schemas", "e.g. tools: builtin");
            return List.of();
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (YNode item : t.items) {
            Object plain = Fields.plain(item);
            if (!(plain instanceof Map<?, ?> m) || !"function".equals(m.get("type")) || !(m.get("function") instanceof Map<?, ?> f)
                    || !(f.get("name") instanceof String name) || name.isBlank()) {
                fields.error(item, "a tool is { type: function, function: { name, description, parameters } }", "or use tools: builtin");
                continue;
            }
            out.add((Map<String, Object>) plain);
        }
        return out;
    }

    /** "auto" by default; a named function must be one of the tools. */
    Object choice(YNode n, List<Map<String, Object>> schemas) {
        if (n == null) return "auto";
        if (n.kind == YNode.Kind.SCALAR && n.scalar instanceof String s && CHOICES.contains(s)) return s;
        if (n.kind == YNode.Kind.MAP && Fields.plain(n) instanceof Map<?, ?> m && m.get("function") instanceof Map<?, ?> f && f.get("name") instanceof String name) {
            boolean known = schemas.stream().anyMatch(x -> x.get("function") instanceof Map<?, ?> fx && name.equals(fx.get("name")));
            if (!known) fields.error(n, "tool_choice names '" + name + "', which is not one of the tools", null);
            return Fields.plain(n);
        }
        fields.error(n, "tool_choice must be auto, none, required, or { type: function, function: { name: ... } }", null);
        return "auto";
    }
}
