package io.tokensiege.common.plan;

/** Reads the two request shapes a scenario or a mix part can have, with {@link Scenario.Prompt}'s and {@link Scenario.Prefix}'s defaults. */
final class PromptReader {
    private PromptReader() {}

    /** {@code prompt: { tokens, unique }}, or null when absent or not a mapping (already reported). */
    static Scenario.Prompt prompt(Fields fields, YNode p) {
        if (p == null || !fields.isMap(p)) return null;
        fields.keys(p, "tokens", "unique");
        return new Scenario.Prompt((int) fields.integer(p, "tokens", Scenario.Prompt.DEFAULT_TOKENS, 1, 1_000_000),
                fields.bool(p, "unique", Scenario.Prompt.DEFAULT_UNIQUE));
    }

    /** A prefix's {@code tokens}. */
    static int prefixTokens(Fields fields, YNode prefix) {
        return (int) fields.integer(prefix, "tokens", Scenario.Prefix.DEFAULT_TOKENS, Scenario.Prefix.MIN_TOKENS, 1_000_000);
    }
}
