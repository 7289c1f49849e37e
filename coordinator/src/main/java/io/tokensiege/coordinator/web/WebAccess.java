package io.tokensiege.coordinator.web;

import io.tokensiege.common.protocol.SecretBox;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpServerRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Who may do what. Off loopback, the API (and {@code /metrics}) needs the cluster token itself as
 * {@code Authorization: Bearer ...}; the pages ask for it once ({@code POST /login}) and then keep a session cookie,
 * an HMAC of the token (never the token), which opens the pages and their forms only. On loopback nothing is asked:
 * the cross-site guard keeps other sites out there.
 */
final class WebAccess {
    static final String SESSION_COOKIE = "tokensiege_session";

    private final String token;
    private final boolean requireToken;
    private final SecretBox secrets;

    WebAccess(String token, boolean requireToken, SecretBox secrets) {
        this.token = token;
        this.requireToken = requireToken;
        this.secrets = secrets;
    }

    boolean requireToken() {
        return requireToken;
    }

    /** The API: the token itself, in a header a browser never adds on another site's behalf. */
    boolean mayUseApi(HttpServerRequest req) {
        return !requireToken || bearer(req.getHeader("authorization"));
    }

    /** The pages and their forms: the token, or the session cookie the sign-in gave. */
    boolean mayUsePages(HttpServerRequest req) {
        return !requireToken || bearer(req.getHeader("authorization")) || hasSession(req);
    }

    /** True when {@code given} is the cluster token (compared in constant time). */
    boolean isToken(String given) {
        return given != null && MessageDigest.isEqual(given.trim().getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
    }

    /** The Set-Cookie value a successful sign-in sends. */
    String sessionCookie() {
        return SESSION_COOKIE + "=" + session() + "; HttpOnly; SameSite=Strict; Path=/";
    }

    /** A secret the page's forms carry: derived from the token, so it is the same after a restart and cannot be guessed without it. */
    String csrfToken() {
        return HexFormat.of().formatHex(secrets.sign("tokensiege web csrf").getBytes(StandardCharsets.UTF_8)).substring(0, 64);
    }

    private boolean bearer(String header) {
        return header != null && header.startsWith("Bearer ") && isToken(header.substring(7));
    }

    private boolean hasSession(HttpServerRequest req) {
        Cookie c = req.getCookie(SESSION_COOKIE);
        return c != null && MessageDigest.isEqual(c.getValue().getBytes(StandardCharsets.UTF_8), session().getBytes(StandardCharsets.UTF_8));
    }

    private String session() {
        return HexFormat.of().formatHex(secrets.sign("tokensiege web session").getBytes(StandardCharsets.UTF_8));
    }
}
