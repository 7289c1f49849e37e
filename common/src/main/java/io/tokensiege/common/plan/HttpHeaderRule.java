package io.tokensiege.common.plan;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a plan's extra HTTP header may be. The name an HTTP token (RFC 9110), not a secret (keys travel
 * sealed through {@code api_key_env}, never in plans), and not one the HTTP client owns (framing and
 * connection headers: a wrong Content-Length would corrupt every request; Expect, which the JDK's client refuses and a
 * server may answer with 417). The value printable ASCII on
 * one line: a CR or LF would split the request (header injection), a NUL or other control character is
 * refused by the client at send time, when it is too late to say which plan line was wrong.
 */
final class HttpHeaderRule {
    private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");
    /** Names that carry credentials: Authorization and its vendor variants, keys, tokens, cookies, subscription keys. */
    private static final Pattern SECRET = Pattern.compile(
            "(?i)(proxy-)?authorization|.*(api[-_]?key|access[-_]?key|auth|token|secret|password|passwd|credential|cookie|subscription[-_]?key|signature).*");
    /** extra_body fields that carry credentials; narrower than headers', as max_completion_tokens and return_tokens are fine. */
    private static final Pattern SECRET_FIELD = Pattern.compile(
            "(?i)key|token|auth|authorization|pwd|.*(api[-_]?key|private[-_]?key|secret|password|passwd|credential|access[-_]?token|auth[-_]?token|bearer).*");
    private static final Set<String> CLIENT_OWNED =
            Set.of("content-length", "transfer-encoding", "host", "connection", "keep-alive", "upgrade", "te", "trailer", "expect", "proxy-connection");

    private HttpHeaderRule() {}

    /** Null when {@code name} may be sent, else why not. */
    static String nameProblem(String name) {
        if (ApiKeyEnvRule.looksLikeAKey(name) || ApiKeyEnvRule.holdsCredentials(name)) {
            return "a header name must not hold a key (not shown); secrets are never written in plans";
        }
        if (!TOKEN.matcher(name).matches()) {
            return "header name '" + name + "' is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~, no spaces or ':')";
        }
        if (SECRET.matcher(name).matches()) return "secrets are never written in plans (header '" + name + "')";
        if (CLIENT_OWNED.contains(name.toLowerCase(Locale.ROOT))) return "header '" + name + "' is set by the HTTP client itself and cannot be overridden";
        return null;
    }

    /**
     * Null when {@code name} may carry the API key ({@code api_key_header}), else why not. Credential names are the
     * point here; the client's own headers and the two every request sets are not, and a key pasted in place of the
     * name is refused without being repeated.
     */
    static String keyHeaderProblem(String name) {
        if (ApiKeyEnvRule.looksLikeAKey(name)) return "api_key_header must name a header, not hold a key (not shown)";
        if (!TOKEN.matcher(name).matches()) {
            return "api_key_header '" + name + "' is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~, no spaces or ':')";
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if (CLIENT_OWNED.contains(lower) || lower.equals("content-type") || lower.equals("accept")) {
            return "api_key_header cannot be '" + name + "': tokensiege or its HTTP client sets that header on every request";
        }
        if (lower.equals("proxy-authorization")) return "api_key_header cannot be '" + name + "': it is for a proxy on the way, not the server";
        return null;
    }

    /** Null when {@code value} may be sent, else the first bad character and where it is. */
    static String valueProblem(String name, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\t' || (c >= 0x20 && c < 0x7F)) continue;
            String what = switch (c) {
                case '\r' -> "a carriage return (CR)";
                case '\n' -> "a line feed (LF)";
                case 0 -> "a NUL character";
                default -> c < 0x20 || c == 0x7F ? String.format("the control character U+%04X", (int) c)
                        : String.format("the non-ASCII character '%c' (U+%04X)", c, (int) c);
            };
            return "header '" + name + "' has " + what + " at character " + (i + 1) + "; a header value is printable ASCII on one line";
        }
        return null;
    }

    static boolean isSecretName(String name) {
        return SECRET.matcher(name).matches();
    }

    /** Whether a top-level extra_body field is named like a credential. */
    static boolean isSecretField(String name) {
        return SECRET_FIELD.matcher(name).matches();
    }
}
