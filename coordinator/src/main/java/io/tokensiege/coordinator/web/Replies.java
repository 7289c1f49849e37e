package io.tokensiege.coordinator.web;

import io.tokensiege.common.json.Json;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/** How the coordinator answers over HTTP: JSON, pages under a strict Content-Security-Policy, bounded bodies, forms. */
final class Replies {
    /**
     * Scripts only from the coordinator itself (the page's own script and the chart library, both in the jar); no inline
     * script, nothing from another site. Styles may be inline (the reports carry theirs); images only as data: URLs.
     */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private Replies() {}

    /**
     * Referrer-Policy same-origin, not no-referrer: under no-referrer a browser sends {@code Origin: null} with a form
     * post, and the cross-site guard (rightly) refuses that, so the page's own forms, sign-in included, would never work.
     */
    static HttpServerResponse secured(HttpServerRequest req) {
        return req.response().putHeader("content-security-policy", CSP).putHeader("x-content-type-options", "nosniff")
                .putHeader("referrer-policy", "same-origin");
    }

    static void json(HttpServerRequest req, int status, Object body) {
        secured(req).setStatusCode(status).putHeader("content-type", "application/json").putHeader("cache-control", "no-store").end(Json.write(body));
    }

    static void html(HttpServerRequest req, int status, String body) {
        secured(req).setStatusCode(status).putHeader("content-type", "text/html; charset=utf-8").putHeader("cache-control", "no-store").end(body);
    }

    /** After a form: back to the page (303, so a reload does not post again). */
    static void seeOther(HttpServerRequest req, String location) {
        req.response().setStatusCode(303).putHeader("location", location).end();
    }

    /** The body, or 413 and a closed connection past {@code max} bytes: nobody makes the coordinator buffer gigabytes. */
    static void boundedBody(HttpServerRequest req, int max, Consumer<Buffer> then) {
        Buffer body = Buffer.buffer();
        boolean[] tooLarge = {false};
        req.handler(chunk -> {
            if (tooLarge[0]) return;
            if (body.length() + chunk.length() > max) {
                tooLarge[0] = true;
                req.response().setStatusCode(413).putHeader("connection", "close").putHeader("content-type", "application/json")
                        .end(Json.write(Map.of("error", "request body larger than " + max + " bytes")))
                        .onComplete(v -> req.connection().close());
            } else {
                body.appendBuffer(chunk);
            }
        });
        req.endHandler(v -> {
            if (!tooLarge[0]) then.accept(body);
        });
    }

    /** An {@code application/x-www-form-urlencoded} body's fields (the last of a repeated name wins). */
    static Map<String, String> form(Buffer body) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (String pair : body.toString(StandardCharsets.UTF_8).split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            fields.put(name, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return fields;
    }
}
