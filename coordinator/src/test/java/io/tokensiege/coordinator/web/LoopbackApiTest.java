package io.tokensiege.coordinator.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.security.TargetAllowList;
import io.tokensiege.coordinator.cluster.ClusterCoordinator;
import io.vertx.core.Vertx;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A loopback coordinator's API (no token needed there): what it still refuses, and which connections it closes. */
@Timeout(60)
class LoopbackApiTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    @TempDir
    static Path data;
    @TempDir
    static Path outside;
    private static ClusterCoordinator cluster;
    private static Vertx vertx;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        Files.writeString(outside.resolve("run.json"), "{\"plan\":\"outside\",\"status\":\"finished\"}");
        Files.writeString(outside.resolve("report.html"), "<html><body>secret from outside the data folder</body></html>");
        Files.createSymbolicLink(data.resolve("20261128-120000-escape"), outside); // a run directory that is a link out
        Path run = Files.createDirectories(data.resolve("20261128-120001-linkedreport"));
        Files.writeString(run.resolve("run.json"), "{\"plan\":\"inside\",\"status\":\"finished\"}");
        Files.createSymbolicLink(run.resolve("report.html"), outside.resolve("report.html")); // a report that is a link out
        cluster = new ClusterCoordinator(new ClusterCoordinator.Settings("127.0.0.1", freePort(), "api-" + UUID.randomUUID(), 10), "api-test-token-0123456789");
        vertx = Vertx.vertx();
        port = freePort();
        var options = new RunApi.Options(false, TargetAllowList.parse(List.of("http://10.0.0.5:*")), 1, io.tokensiege.common.plan.PlanOptions.DEFAULT);
        new RunApi(cluster, data, "api-test-token-0123456789", options).listen(vertx, "127.0.0.1", port).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        cluster.close();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static HttpResponse<String> post(String contentType, String origin, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/runs")).header("content-type", contentType);
        if (origin != null) b.header("origin", origin);
        return HTTP.send(b.POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static final String PLAN = "name: p\ntargets:\n  - { name: t, url: \"http://127.0.0.1:9/v1\", model: m }\n"
            + "scenarios:\n  - { name: s, prompt: { tokens: 8 }, requests: 1 }\n";

    @Test
    void aCrossSitePost_isRefused_beforeThePlanIsEvenRead() throws Exception {
        HttpResponse<String> r = post("text/plain", "http://evil.example", PLAN);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).contains("cross-site request refused");
        assertThat(post("text/plain", null, PLAN).statusCode()).isEqualTo(415);
    }

    @Test
    void aPlanWithATargetOutsideAllowTarget_isRefusedUpFront_namingIt() throws Exception {
        HttpResponse<String> r = post("application/yaml", null, PLAN);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("--allow-target").contains("target 't'").contains("127.0.0.1:9");
    }

    @Test
    void aSymlinkOutOfTheDataFolder_isNeverFollowed() throws Exception {
        for (String path : List.of("/runs/20261128-120000-escape/report.html", "/runs/20261128-120001-linkedreport/report.html",
                "/runs/20261128-120000-escape/run.json")) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(r.body()).doesNotContain("secret from outside");
        }
        String index = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(index).doesNotContain("20261128-120000-escape").contains("20261128-120001-linkedreport").doesNotContain("linkedreport/report.html");
    }

    @Test
    void aHalfOpenConnection_isClosedByTheIdleTimeout() throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII)); // and never the blank line
            s.setSoTimeout(10_000);
            long start = System.nanoTime();
            InputStream in = s.getInputStream();
            while (in.read() >= 0) { } // the server may answer a timeout; it must then close
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(5_000);
        }
    }
}
