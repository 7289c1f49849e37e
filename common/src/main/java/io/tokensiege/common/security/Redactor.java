package io.tokensiege.common.security;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Removes known secret values (API keys, the cluster token) from any text before it is stored or shown:
 * a server that echoes the key in an error body must not have it written to disk thousands of times.
 * Values shorter than {@link #MIN_SECRET_CHARS} are ignored (redacting "a" would shred every text).
 */
public final class Redactor {
    public static final Redactor NONE = new Redactor(List.of());
    static final int MIN_SECRET_CHARS = 6;
    static final String MASK = "[REDACTED]";
    private final List<String> secrets;

    public Redactor(Collection<String> secrets) {
        List<String> kept = new ArrayList<>();
        for (String s : secrets) if (s != null && s.length() >= MIN_SECRET_CHARS) kept.add(s);
        kept.sort((a, b) -> b.length() - a.length()); // longest first, so a secret containing another goes whole
        this.secrets = List.copyOf(kept);
    }

    public static Redactor of(String... secrets) {
        return new Redactor(java.util.Arrays.asList(secrets));
    }

    public String redact(String text) {
        if (text == null || secrets.isEmpty()) return text;
        String out = text;
        for (String s : secrets) if (out.contains(s)) out = out.replace(s, MASK);
        return out;
    }

    public boolean isEmpty() {
        return secrets.isEmpty();
    }
}
