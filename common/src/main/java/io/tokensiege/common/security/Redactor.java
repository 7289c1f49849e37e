package io.tokensiege.common.security;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Removes known secret values (API keys, the cluster token) from any text before it is stored or shown:
 * a server that echoes the key in an error body must not have it written to disk thousands of times.
 * Values shorter than {@link #MIN_SECRET_CHARS} are ignored (redacting "a" would shred every text). What is kept of a
 * server's words is cut to a bound (an answer sample, an error body), and a cut can fall inside a secret: a text that
 * ends with the first {@link #MIN_PARTIAL_CHARS} or more characters of a secret (or half of a shorter one) has that end
 * masked too. Fewer say little (sk-proj), and an answer that ends in "toke" is not a key of "token-abc123".
 */
public final class Redactor {
    public static final Redactor NONE = new Redactor(List.of());
    static final int MIN_SECRET_CHARS = 6;
    static final String MASK = "[REDACTED]";
    /** At most this many less one of a secret's first characters ("sk-proj") may stay at the end of a cut text. */
    static final int MIN_PARTIAL_CHARS = 8;
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
        for (String s : secrets) {
            for (int n = Math.min(s.length() - 1, out.length()); n >= Math.min(MIN_PARTIAL_CHARS, (s.length() + 1) / 2); n--) {
                if (out.regionMatches(out.length() - n, s, 0, n)) return out.substring(0, out.length() - n) + MASK;
            }
        }
        return out;
    }

    /**
     * A server's JSON with every secret removed from its decoded strings: JSON may write a key's characters as escapes
     * (a backslash and u with four hex digits, or a backslash before '/'), which a redaction of the raw text misses and a
     * parser then turns back into the key. Names and
     * values are redacted after decoding, token by token (no tree: a large answer costs no more than its text), and
     * the JSON is written again. A text without escapes, or that is not JSON, is redacted as it is.
     */
    public String redactJson(String body) {
        if (body == null || secrets.isEmpty() || body.indexOf('\\') < 0) return redact(body);
        var json = io.tokensiege.common.json.Json.MAPPER.getFactory();
        java.io.StringWriter out = new java.io.StringWriter(body.length());
        try (var in = json.createParser(body); var gen = json.createGenerator(out)) {
            for (var t = in.nextToken(); t != null; t = in.nextToken()) {
                switch (t) {
                    case FIELD_NAME -> gen.writeFieldName(redact(in.getCurrentName()));
                    case VALUE_STRING -> gen.writeString(redact(in.getText()));
                    default -> gen.copyCurrentEvent(in);
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return redact(body); // not JSON (or cut): the raw text is all there is
        }
        return out.toString();
    }

    public boolean isEmpty() {
        return secrets.isEmpty();
    }
}
