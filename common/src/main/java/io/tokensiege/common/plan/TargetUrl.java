package io.tokensiege.common.plan;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * What a target's {@code url} must be: an absolute {@code http://} or {@code https://} URI with a host, as the
 * server's OpenAI base ({@code /chat/completions} is appended to it). Refused, each with the precise reason:
 * anything {@link URI} cannot parse (a space, a stray character), no host, a query or a fragment (they would
 * end up in the middle of the request path), a port out of range, and user-info: in
 * {@code http://127.0.0.1:18005@127.0.0.2:18006/v1} the host is 127.0.0.2, which is how an allow-list was bypassed.
 */
final class TargetUrl {
    private TargetUrl() {}

    /** Null when {@code url} is usable, else what is wrong with it. */
    static String problem(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return "url is not a valid URL: " + e.getReason() + at(url, e.getIndex());
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || !url.startsWith(scheme + "://")) {
            return "url must start with http:// or https://";
        }
        if (uri.getRawUserInfo() != null) {
            return "url must not carry user-info (a name or password before '@'): it hides the real host"
                    + (uri.getHost() == null ? "" : ", which here is '" + uri.getHost() + "'");
        }
        if (uri.getHost() == null) return "url has no valid host name" + (uri.getRawAuthority() == null ? "" : " in '" + uri.getRawAuthority() + "'");
        if (uri.getPort() != -1 && (uri.getPort() < 1 || uri.getPort() > 65_535)) return "url port " + uri.getPort() + " is not between 1 and 65535";
        if (uri.getRawQuery() != null) return "url must not have a query (not shown: it may hold a key): it is a base URL that /chat/completions is appended to";
        if (uri.getRawFragment() != null) return "url must not have a fragment (not shown: it may hold a key)";
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (path.indexOf(';') >= 0) return "url must not have path parameters (';...', not shown: they may hold a key)";
        if (ApiKeyEnvRule.holdsCredentials(path.replace('/', ' '))) return "url holds what looks like a key in its path (not shown); a key goes in api_key_env";
        return null;
    }

    private static String at(String url, int index) {
        if (index < 0 || index >= url.length()) return "";
        char c = url.charAt(index);
        String shown = c == ' ' ? "a space" : Character.isISOControl(c) ? String.format("control character U+%04X", (int) c) : "'" + c + "'";
        return " (" + shown + " at character " + (index + 1) + ")";
    }
}
