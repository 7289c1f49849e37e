package io.tokensiege.coordinator.server;

import io.tokensiege.common.plan.Target;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The coordinator's few questions to a target's own endpoints (provenance, tokenizer, Prometheus counters):
 * short timeouts, bodies read up to {@link #MAX_BODY_BYTES}, the target's API key sent and never kept.
 * Never throws: a failure is a {@link Reply} with status 0 and the reason.
 */
public final class ServerHttp {
    static final int MAX_BODY_BYTES = 2 << 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(TIMEOUT).version(HttpClient.Version.HTTP_1_1).build();

    /** {@code status} 0 means no answer; {@code body} then says why. */
    public record Reply(int status, String body) {
        public boolean ok() {
            return status / 100 == 2;
        }
    }

    private final String base;
    private final String root;
    private final String apiKey;

    /** For a target whose base URL is e.g. {@code http://host:8080/v1}: {@code root} is {@code http://host:8080}. */
    public ServerHttp(Target target) {
        this.base = target.url().replaceAll("/+$", "");
        this.root = base.replaceFirst("/v1$", "");
        this.apiKey = target.apiKeyEnv() == null ? null : System.getenv(target.apiKeyEnv());
    }

    /** GET on the OpenAI base ({@code /v1...}). */
    public Reply getBase(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    /** GET on the server's root (llama.cpp /props, Ollama /api/..., /metrics). */
    public Reply get(String path) {
        return send(HttpRequest.newBuilder(URI.create(root + path)).GET());
    }

    public Reply post(String path, String json) {
        return send(HttpRequest.newBuilder(URI.create(root + path)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private Reply send(HttpRequest.Builder b) {
        try {
            if (apiKey != null) b.header("authorization", "Bearer " + apiKey);
            HttpResponse<InputStream> r = HTTP.send(b.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = r.body()) {
                return new Reply(r.statusCode(), new String(in.readNBytes(MAX_BODY_BYTES), StandardCharsets.UTF_8));
            }
        } catch (IOException | IllegalArgumentException e) {
            return new Reply(0, e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Reply(0, "interrupted");
        }
    }
}
