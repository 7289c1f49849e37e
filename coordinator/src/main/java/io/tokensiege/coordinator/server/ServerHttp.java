package io.tokensiege.coordinator.server;

import io.tokensiege.common.plan.ApiKeyEnvRule;
import io.tokensiege.common.plan.Target;
import io.tokensiege.common.security.Redactor;
import java.io.ByteArrayOutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The coordinator's few questions to a target's own endpoints (provenance, tokenizer, Prometheus counters):
 * each answer must be complete within {@link #TIMEOUT} (headers and body: a server trickling bytes cannot hold
 * the coordinator), bodies are read up to {@link #MAX_BODY_BYTES}, the target's API key is sent and never kept.
 * Never throws: a failure is a {@link Reply} with status 0 and the reason in words.
 */
public final class ServerHttp {
    static final int MAX_BODY_BYTES = 2 << 20;
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(TIMEOUT).version(HttpClient.Version.HTTP_1_1).build();

    /** {@code status} 0 means no answer; {@code body} then says why. */
    public record Reply(int status, String body) {
        public boolean ok() {
            return status / 100 == 2;
        }

        /** The target took the connection and then said nothing within the timeout: a stuck or overloaded server. */
        public boolean silent() {
            return status == 0 && body.startsWith(SILENT);
        }

        /** No answer at all: silent, or no connection. */
        public boolean unanswered() {
            return status == 0 && (body.startsWith(SILENT) || body.startsWith(REFUSED) || body.startsWith(NO_CONNECTION));
        }
    }

    private static final String SILENT = "connection accepted, no complete answer within";
    private static final String REFUSED = "connection refused";
    private static final String NO_CONNECTION = "no connection within";

    private final String base;
    private final String root;
    /** The key's header and its value, or null without a key (or with one no header can carry: the run refuses it when it starts). */
    private final String keyHeaderName;
    private final String keyHeaderValue;
    /** A server (or a debug proxy) may echo the request, key and all, into what run.json and the report keep. */
    private final Redactor redactor;

    /** For a target whose base URL is e.g. {@code http://host:8080/v1}: {@code root} is {@code http://host:8080}. */
    public ServerHttp(Target target) {
        this(target, target.apiKeyEnv() == null ? null : ApiKeyEnvRule.asSent(System.getenv(target.apiKeyEnv())));
    }

    ServerHttp(Target target, String apiKey) {
        this.base = target.url().replaceAll("/+$", "");
        this.root = base.replaceFirst("/v1$", "");
        boolean sendable = apiKey != null && ApiKeyEnvRule.valueProblem("", apiKey) == null;
        this.keyHeaderName = sendable ? target.keyHeaderName() : null;
        this.keyHeaderValue = sendable ? target.keyHeaderValue(apiKey) : null;
        this.redactor = Redactor.of(apiKey);
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
        CompletableFuture<HttpResponse<byte[]>> answer;
        try {
            if (keyHeaderName != null) b.header(keyHeaderName, keyHeaderValue);
            answer = HTTP.sendAsync(b.timeout(TIMEOUT).build(), info -> new BoundedBody(MAX_BODY_BYTES));
        } catch (IllegalArgumentException e) {
            return new Reply(0, e.getClass().getSimpleName());
        }
        try {
            // The request timeout covers the headers only; this bounds the body too.
            HttpResponse<byte[]> r = answer.get(TIMEOUT.toMillis() + 500, TimeUnit.MILLISECONDS);
            return new Reply(r.statusCode(), redactor.redactJson(new String(r.body(), StandardCharsets.UTF_8))); // escapes decoded first
        } catch (TimeoutException e) {
            answer.cancel(true);
            return new Reply(0, SILENT + " " + TIMEOUT.toSeconds() + " s");
        } catch (ExecutionException e) {
            return new Reply(0, reason(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            answer.cancel(true);
            return new Reply(0, "interrupted");
        }
    }

    private static String reason(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof HttpConnectTimeoutException) return NO_CONNECTION + " " + TIMEOUT.toSeconds() + " s";
            if (t instanceof HttpTimeoutException) return SILENT + " " + TIMEOUT.toSeconds() + " s";
            if (t instanceof ConnectException) return REFUSED;
        }
        return failure == null ? "no answer" : failure.getClass().getSimpleName();
    }

    /** Collects a body up to {@code max} bytes, then stops reading and keeps what it has. */
    private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final int max;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> body = new CompletableFuture<>();
        private Flow.Subscription subscription;

        BoundedBody(int max) {
            this.max = max;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer b : buffers) {
                int n = Math.min(b.remaining(), max - bytes.size());
                byte[] chunk = new byte[n];
                b.get(chunk);
                bytes.write(chunk, 0, n);
            }
            if (bytes.size() >= max) {
                subscription.cancel();
                body.complete(bytes.toByteArray());
            } else {
                subscription.request(1);
            }
        }

        @Override
        public void onError(Throwable t) {
            body.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            body.complete(bytes.toByteArray());
        }
    }
}
