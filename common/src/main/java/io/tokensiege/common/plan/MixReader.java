package io.tokensiege.common.plan;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a mixed workload: {@code mix} (a list of parts, each with a name, a weight, and a prompt or a prefix, and
 * optionally its own max_tokens) and {@code probe} ({@code { tokens: 32, every: 2s }}). Mistakes are recorded with
 * their place.
 */
final class MixReader {
    private final Fields fields;

    MixReader(Fields fields) {
        this.fields = fields;
    }

    Scenario.Mix read(YNode scenario, int defaultMaxTokens) {
        YNode m = scenario.get("mix");
        if (m == null) {
            if (scenario.get("probe") != null) fields.error(scenario.get("probe"), "probe goes with mix", "add mix: [ ... ] or remove probe");
            return null;
        }
        List<Scenario.Mix.Part> parts = new ArrayList<>();
        if (m.kind != YNode.Kind.LIST || m.items.isEmpty()) {
            fields.error(m, "mix must be a list of parts", "e.g. mix: [ { name: agent_turns, weight: 80, prefix: { tokens: 10000 } }, "
                    + "{ name: long_cold, weight: 20, prompt: { tokens: 8000 } } ]");
            return new Scenario.Mix(parts, null);
        }
        Set<String> names = new HashSet<>();
        for (YNode item : m.items) {
            if (!fields.isMap(item)) continue;
            fields.keys(item, "name", "weight", "prompt", "prefix", "max_tokens");
            String name = fields.name(item, "name", true);
            if (!names.add(name)) fields.error(item.get("name"), "two parts named '" + name + "'", "give each part its own name");
            if (name.equals("probe")) fields.error(item.get("name"), "'probe' names the probe's requests", "call this part something else");
            YNode p = item.get("prompt");
            YNode x = item.get("prefix");
            if ((p == null) == (x == null)) fields.error(item, "a part needs exactly one of prompt or prefix", null);
            Scenario.Prompt prompt = PromptReader.prompt(fields, p);
            Scenario.Prefix prefix = null;
            if (x != null && fields.isMap(x)) {
                fields.keys(x, "tokens");
                prefix = new Scenario.Prefix(PromptReader.prefixTokens(fields, x), Scenario.Prefix.PARTS, false);
            }
            parts.add(new Scenario.Mix.Part(name, (int) fields.integer(item, "weight", 1, 1, 1_000_000), prompt, prefix,
                    (int) fields.integer(item, "max_tokens", defaultMaxTokens, 1, 1_000_000)));
        }
        return new Scenario.Mix(parts, probe(scenario.get("probe")));
    }

    private Scenario.Mix.Probe probe(YNode n) {
        if (n == null || !fields.isMap(n)) return null;
        fields.keys(n, "tokens", "every", "max_tokens");
        Scenario.Mix.Probe d = Scenario.Mix.Probe.DEFAULT;
        return new Scenario.Mix.Probe((int) fields.integer(n, "tokens", d.tokens(), 1, 100_000), fields.duration(n, "every", d.everyMillis(), 10),
                (int) fields.integer(n, "max_tokens", d.maxTokens(), 1, 100_000));
    }
}
