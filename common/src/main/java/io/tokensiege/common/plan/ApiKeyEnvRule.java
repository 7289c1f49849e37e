package io.tokensiege.common.plan;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which environment variables {@code api_key_env} may name. The coordinator reads that variable and sends
 * its value to the plan's URL (as a Bearer token, or in the header {@code api_key_header} names), so a plan
 * that could name any variable could send any of the coordinator's secrets anywhere. A name must look like a key variable: capitals, digits and '_',
 * ending in {@code _API_KEY}, {@code _KEY} or {@code _TOKEN} (e.g. {@code OPENAI_API_KEY}, {@code OMLX_KEY},
 * {@code HF_TOKEN}); another name only when the operator allows it by name ({@code --allow-key-env NAME}).
 * {@code TOKENSIEGE_*} (the cluster token's home) is refused even then. A plan sent to a coordinator's API may name
 * only variables its operator allowed by name: anyone who can reach the API (another user of a loopback coordinator)
 * could otherwise send any of its key-like variables (AWS_SECRET_ACCESS_KEY, GITHUB_TOKEN) to a host of their choosing.
 * A name that looks like a key itself is never repeated in a message.
 */
public final class ApiKeyEnvRule {
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern KEY_LIKE = Pattern.compile("[A-Z][A-Z0-9_]*(_API_KEY|_KEY|_TOKEN)");
    private static final String OWN_PREFIX = "TOKENSIEGE_";
    /**
     * What a key pasted in place of a variable's name looks like: a vendor's prefix and random characters (hf_AbC…,
     * ghp_…, AKIA…, sk-…, a JWT), or long and random (mixed case with digits; 32 or more characters with digits and no '_', as
     * {@code openssl rand -hex 32} makes). A variable's name has words: hf_token_default is one.
     */
    private static final String VENDOR_KEY = "(hf|ghp|gho|ghs|ghu)_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{40,}|AKIA[A-Z0-9]{16}"
            + "|sk-[A-Za-z0-9_-]{6,}|sk_(live|test)_[A-Za-z0-9]{10,}|(gsk|xai|pplx|nvapi|glpat|r8)[-_][A-Za-z0-9_-]{16,}"
            + "|AIza[0-9A-Za-z_-]{30,}|xox[abpr]-[A-Za-z0-9-]{10,}|eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*";
    private static final Pattern KEY_ITSELF = Pattern.compile(VENDOR_KEY);
    /** A vendor's key inside a longer text, not part of a word (task-abcdef is no key). */
    private static final Pattern KEY_INSIDE = Pattern.compile("(?<![A-Za-z0-9_-])(" + VENDOR_KEY + ")");
    /** An Authorization-style value: a scheme, then credentials. */
    private static final Pattern CREDENTIALS = Pattern.compile("(?i)(bearer|basic|token|apikey|api-key|digest)\\s+\\S.*");

    private ApiKeyEnvRule() {}

    /**
     * Null when a plan may name {@code name}, else what is wrong with it.
     *
     * @param onlyAllowed a plan sent to a coordinator: only the names in {@code allowed}, key-like or not
     */
    static String problem(String name, Set<String> allowed, boolean onlyAllowed) {
        if (!ENV_NAME.matcher(name).matches() || looksLikeAKey(name)) return "api_key_env must name an environment variable, not hold a key";
        if (isOwn(name)) return "api_key_env may not name " + name + ": TOKENSIEGE_* variables hold tokensiege's own secrets (the cluster token)";
        if (allowed.contains(name)) return null;
        if (onlyAllowed) return "this coordinator sends only the key variables its operator allowed by name, and not " + name
                + " (a plan sent to it could otherwise send any of its secrets to a host of the plan's choosing)";
        if (KEY_LIKE.matcher(name).matches()) return null;
        return "api_key_env '" + name + "' does not look like an API key variable (capitals, ending in _API_KEY, _KEY or _TOKEN)";
    }

    /** What to do about a name {@link #problem} refused. */
    static String hint(String name, boolean onlyAllowed) {
        if (!ENV_NAME.matcher(name).matches() || looksLikeAKey(name)) return "e.g. api_key_env: OMLX_KEY, then export OMLX_KEY=...";
        if (isOwn(name)) return "keep the server's key in a variable of its own, e.g. OMLX_KEY";
        if (onlyAllowed) return "start the coordinator with --allow-key-env " + name + " (repeatable), where that variable is set";
        return "name a variable such as MYSERVER_API_KEY, or allow this one where tokensiege starts: --allow-key-env " + name;
    }

    static boolean looksLikeAKey(String name) {
        boolean digits = name.chars().anyMatch(Character::isDigit);
        return KEY_ITSELF.matcher(name).matches()
                || name.length() >= 20 && digits && name.chars().anyMatch(Character::isUpperCase) && name.chars().anyMatch(Character::isLowerCase)
                || name.length() >= 32 && digits && name.indexOf('_') < 0;
    }

    /**
     * Whether a plan's header value carries a credential under a name that does not say so ({@code X-Gateway: Bearer …},
     * a vendor's key): it would be written into the run's files and sent to every worker in clear.
     */
    public static boolean holdsCredentials(String value) {
        String v = value.strip();
        return CREDENTIALS.matcher(v).matches() || KEY_INSIDE.matcher(v).find();
    }

    /**
     * The key as a server receives it: spaces and tabs around a header's value are not part of it (HTTP drops them), so
     * a key exported with a trailing space is sent, echoed and redacted without it. Null stays null.
     */
    public static String asSent(String key) {
        if (key == null) return null;
        int from = 0;
        int to = key.length();
        while (from < to && (key.charAt(from) == ' ' || key.charAt(from) == '\t')) from++;
        while (to > from && (key.charAt(to - 1) == ' ' || key.charAt(to - 1) == '\t')) to--;
        return key.substring(from, to);
    }

    /**
     * Null when the key in variable {@code env} can travel in a header, else why not, without a character of it: a
     * line break (often a key file's last line, read with its newline) would end the header and start another.
     */
    public static String valueProblem(String env, String key) {
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c == '\t' || (c >= 0x20 && c < 0x7F)) continue;
            String what = c == '\n' || c == '\r' ? "a line break" : c < 0x20 || c == 0x7F ? "a control character" : "a non-ASCII character";
            return "the key in " + env + " has " + what + " at character " + (i + 1)
                    + " (the key is not shown); a key is sent in a header, as printable ASCII on one line: check how " + env + " was set";
        }
        return null;
    }

    /** Null when an operator may allow {@code name} explicitly, else why not. */
    public static String allowanceProblem(String name) {
        if (name == null || !ENV_NAME.matcher(name).matches() || looksLikeAKey(name)) return "not an environment variable name (letters, digits, '_'; not shown, as it may be a key)";
        if (isOwn(name)) return "'" + name + "' can never be allowed: TOKENSIEGE_* variables hold tokensiege's own secrets (the cluster token)";
        return null;
    }

    private static boolean isOwn(String name) {
        return name.toUpperCase(Locale.ROOT).startsWith(OWN_PREFIX);
    }
}
