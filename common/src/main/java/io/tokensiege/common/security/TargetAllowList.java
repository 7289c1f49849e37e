package io.tokensiege.common.security;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Where load may be sent: patterns of scheme, host and port, matched against the <em>parsed</em> parts of
 * a target URL, never against its text. A URL with user-info is refused outright: in
 * {@code http://127.0.0.1:18005@127.0.0.2:18006/v1} the host really reached is 127.0.0.2, which a glob
 * on the text would have let through as "127.0.0.1:*".
 *
 * <p>A pattern is {@code SCHEME://HOST[:PORT]}: SCHEME is {@code http}, {@code https} or {@code *};
 * HOST a name or an address where {@code *} stands for one or more characters of a single label
 * ({@code *.lan} matches {@code gpu.lan} but not {@code a.gpu.lan}; {@code 10.0.0.*} matches
 * {@code 10.0.0.7}), or a lone {@code *} for any host; PORT a number or {@code *}, and without one the
 * scheme's default (80 or 443). Hosts are compared as written in the URL, case-insensitively; names
 * are not resolved.
 */
public final class TargetAllowList {
    /** No patterns: every http(s) target without user-info is allowed. */
    public static final TargetAllowList ANY = new TargetAllowList(List.of(), List.of());
    private static final Pattern PATTERN = Pattern.compile("(?<scheme>https?|\\*)://(?<host>\\[[0-9A-Fa-f:.]+]|[^:/\\[\\]@?#]+)(?::(?<port>\\*|\\d{1,5}))?/?");

    private final List<String> patterns;
    private final List<Rule> rules;

    private TargetAllowList(List<String> patterns, List<Rule> rules) {
        this.patterns = patterns;
        this.rules = rules;
    }

    /** Parses every pattern; the message of a bad one names it and shows the form to use. */
    public static TargetAllowList parse(List<String> patterns) {
        List<Rule> rules = new ArrayList<>();
        for (String p : patterns) rules.add(Rule.parse(p));
        return new TargetAllowList(List.copyOf(patterns), List.copyOf(rules));
    }

    public boolean allowsAny() {
        return rules.isEmpty();
    }

    public List<String> patterns() {
        return patterns;
    }

    /** Null when load may go to {@code url}; otherwise why not, in a sentence that names the URL. */
    public String refusal(String url) {
        Endpoint e;
        try {
            e = Endpoint.of(url);
        } catch (IllegalArgumentException bad) {
            return bad.getMessage();
        }
        if (rules.isEmpty() || rules.stream().anyMatch(r -> r.matches(e))) return null;
        return url + " (" + e + ") is not matched by any allowed target " + patterns;
    }

    /** The scheme, host and port a URL really reaches. */
    public record Endpoint(String scheme, String host, int port) {
        /** Parses {@code url}; user-info, a missing host or a scheme other than http(s) is refused with the reason. */
        public static Endpoint of(String url) {
            URI uri;
            try {
                uri = new URI(url);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("target URL '" + url + "' does not parse: " + e.getReason());
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                throw new IllegalArgumentException("target URL '" + url + "' is not http:// or https://");
            }
            if (uri.getRawUserInfo() != null || (uri.getRawAuthority() != null && uri.getRawAuthority().contains("@"))) {
                throw new IllegalArgumentException("target URL '" + url + "' carries user-info (user@host): refused, because it hides the host "
                        + "the load really goes to; name the key with api_key_env instead");
            }
            if (uri.getHost() == null) throw new IllegalArgumentException("target URL '" + url + "' has no host name that can be read");
            int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
            return new Endpoint(scheme, uri.getHost().toLowerCase(Locale.ROOT), port);
        }

        @Override
        public String toString() {
            return scheme + "://" + host + ":" + port;
        }
    }

    /** One parsed pattern. {@code port} null = the URL's scheme default; -1 = any. */
    private record Rule(String scheme, Pattern host, Integer port) {
        static Rule parse(String text) {
            var m = PATTERN.matcher(text.strip());
            if (!m.matches()) {
                throw new IllegalArgumentException("allowed target '" + text + "' is not SCHEME://HOST[:PORT] (scheme http, https or *; "
                        + "'*' for any port; no path), e.g. http://192.168.1.20:8000, http://*.lan:* or https://gpu.example.com");
            }
            String portText = m.group("port");
            Integer port = portText == null ? null : portText.equals("*") ? -1 : Integer.valueOf(portText);
            if (port != null && port > 65535) throw new IllegalArgumentException("allowed target '" + text + "': port " + port + " is outside 1..65535");
            return new Rule(m.group("scheme"), hostPattern(m.group("host").toLowerCase(Locale.ROOT)), port);
        }

        boolean matches(Endpoint e) {
            if (!scheme.equals("*") && !scheme.equals(e.scheme())) return false;
            if (!host.matcher(e.host()).matches()) return false;
            if (port == null) return e.port() == (e.scheme().equals("https") ? 443 : 80);
            return port == -1 || port == e.port();
        }

        /** '*' is one or more characters within one label; a lone '*' is any host. */
        private static Pattern hostPattern(String glob) {
            if (glob.equals("*")) return Pattern.compile(".+");
            String[] parts = glob.split("\\*", -1);
            StringBuilder re = new StringBuilder(Pattern.quote(parts[0]));
            for (int i = 1; i < parts.length; i++) re.append("[^.]+").append(Pattern.quote(parts[i]));
            return Pattern.compile(re.toString());
        }
    }
}
