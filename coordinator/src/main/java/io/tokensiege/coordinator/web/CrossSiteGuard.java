package io.tokensiege.coordinator.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Refuses what a browser sends on another site's behalf, on every address. A request that changes state
 * must declare a content type a cross-site form cannot send (JSON or YAML for the API), or be one of the
 * coordinator's own forms: the sign-in form, and the page's start and stop forms, which must also carry
 * the CSRF token the page was rendered with ({@link #checkCsrf}). When a request carries an
 * {@code Origin}, that origin must be the coordinator itself (the host the request was sent to). On a
 * loopback-only coordinator, whose API needs no token, the {@code Host} must also be a loopback name, so
 * a page whose DNS name was rebound to 127.0.0.1 cannot read or drive it.
 */
final class CrossSiteGuard {
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");
    private static final Set<String> PLAN_TYPES = Set.of("application/json", "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml");
    static final String FORM_TYPE = "application/x-www-form-urlencoded";
    /** The page's forms that start and stop runs: form posts, accepted only with the page's CSRF token. */
    static final Set<String> CSRF_FORMS = Set.of("/ui/runs", "/ui/runs/stop");
    private static final Pattern LOOPBACK_V4 = Pattern.compile("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");

    private final boolean loopbackOnly;
    private final String boundHost;
    private final String csrfToken;

    /** An HTTP status and the error to send with it. */
    record Refusal(int status, String message) {}

    /**
     * @param loopbackOnly the API answers without a token (the coordinator listens on loopback)
     * @param boundHost    the address it listens on (a literal), also accepted as a Host name
     * @param csrfToken    what the page's forms carry in their {@code csrf} field; a cross-site page cannot read it
     */
    CrossSiteGuard(boolean loopbackOnly, String boundHost, String csrfToken) {
        this.loopbackOnly = loopbackOnly;
        this.boundHost = boundHost.toLowerCase(Locale.ROOT);
        this.csrfToken = csrfToken;
    }

    String csrfToken() {
        return csrfToken;
    }

    /**
     * The second half of the rule for the page's forms, once their body is read: null when {@code given} is the
     * page's CSRF token, else a 403. A form post to any other path never gets this far ({@link #check} refuses it).
     */
    Refusal checkCsrf(String given) {
        if (given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), csrfToken.getBytes(StandardCharsets.UTF_8))) return null;
        return new Refusal(403, "form refused: it does not carry this page's CSRF token; reload the coordinator's page and submit again");
    }

    /** Null when the request may go on; otherwise the refusal to answer with. */
    Refusal check(String method, String path, String host, String origin, String contentType) {
        if (loopbackOnly && !isLoopbackName(host)) {
            return new Refusal(403, "refused: Host '" + host + "' is not a loopback name of this coordinator (a rebound DNS name?); "
                    + "use http://127.0.0.1 or http://localhost with its port");
        }
        if (SAFE_METHODS.contains(method)) return null;
        if (origin != null && (host == null || !origin.equalsIgnoreCase("http://" + host))) {
            return new Refusal(403, "cross-site request refused: Origin " + origin + " is not this coordinator (http://" + host + ")");
        }
        String type = mediaType(contentType);
        if (path.equals("/login")) {
            return type.equals(FORM_TYPE) ? null : new Refusal(415, "sign in with the form of this coordinator's page (" + FORM_TYPE + ")");
        }
        if (CSRF_FORMS.contains(path)) { // the CSRF token in the body is checked once it is read
            return type.equals(FORM_TYPE) ? null : new Refusal(415, "use the form of this coordinator's page (" + FORM_TYPE + ")");
        }
        if (!PLAN_TYPES.contains(type)) {
            return new Refusal(415, "Content-Type '" + (contentType == null ? "" : contentType) + "' refused: send the plan as application/yaml "
                    + "(or application/json); 'tokensiege run PLAN --coordinator URL' does");
        }
        return null;
    }

    private boolean isLoopbackName(String host) {
        if (host == null) return false;
        String name = host.toLowerCase(Locale.ROOT);
        if (name.startsWith("[")) name = name.substring(0, name.indexOf(']') + 1);
        else if (name.contains(":")) name = name.substring(0, name.lastIndexOf(':'));
        return name.equals("localhost") || name.equals("[::1]") || name.equals(boundHost) || name.equals("[" + boundHost + "]")
                || LOOPBACK_V4.matcher(name).matches();
    }

    private static String mediaType(String contentType) {
        if (contentType == null) return "";
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }
}
