package io.tokensiege.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.common.json.Json;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A coordinator's REST API as the command line uses it (submit, follow, abort), with the cluster token when there is one.
 * Every call is bounded; a call that cannot reach the coordinator throws an IOException that {@link #why} puts in words.
 */
final class CoordinatorClient {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

    /** An answer: the HTTP status and its JSON body (an empty object when the body is not JSON). */
    record Answer(int status, JsonNode body) {}

    private final String base;
    private final ClusterToken token;

    CoordinatorClient(String url, ClusterToken token) {
        this.base = url.replaceAll("/+$", "");
        this.token = token;
    }

    String base() {
        return base;
    }

    Answer submit(String planYaml, String planName) throws IOException, InterruptedException {
        return send(request("/api/runs?file=" + URLEncoder.encode(planName, StandardCharsets.UTF_8))
                .header("content-type", "application/yaml").POST(HttpRequest.BodyPublishers.ofString(planYaml)));
    }

    Answer status(String runId) throws IOException, InterruptedException {
        return send(request("/api/runs/" + runId).GET());
    }

    /**
     * {@code DELETE /api/runs/current}: 202 with the run's id when a run was aborted, 404 when none was running. It declares a JSON
     * body (it has none) because the coordinator refuses a state-changing request without one: a cross-site form cannot send it.
     */
    Answer abortCurrent() throws IOException, InterruptedException {
        return send(request("/api/runs/current").header("content-type", "application/json").DELETE());
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(CALL_TIMEOUT);
        if (token.given()) b.header("authorization", "Bearer " + token.value());
        return b;
    }

    private static Answer send(HttpRequest.Builder b) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(r.body());
        } catch (IOException notJson) {
            body = null;
        }
        return new Answer(r.statusCode(), body == null ? Json.MAPPER.createObjectNode() : body);
    }

    /** Why a call did not reach the coordinator, in words ("connection refused", "no answer within 30 s"). */
    static String why(IOException e) {
        if (e instanceof HttpConnectTimeoutException) return "no connection within 10 s";
        if (e instanceof HttpTimeoutException) return "no answer within " + CALL_TIMEOUT.toSeconds() + " s";
        if (e instanceof ConnectException) return "connection refused";
        if (e.getMessage() == null) return e.getClass().getSimpleName();
        return e.getMessage();
    }
}
