package io.tokensiege.coordinator.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.coordinator.cluster.ClusterCoordinator;
import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The coordinator's web pages as a network-facing coordinator serves them: token sign-in, run list, reports, nothing else. */
@org.junit.jupiter.api.Timeout(value = 60, unit = java.util.concurrent.TimeUnit.SECONDS)
class WebPagesTest {
    private static final String TOKEN = "web-pages-test-token-0123456789";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    @TempDir
    static Path data;
    private static ClusterCoordinator cluster;
    private static Vertx vertx;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        Path run = Files.createDirectories(data.resolve("20261128-120000-smoke"));
        Files.writeString(run.resolve("run.json"), "{\"plan\":\"<b>smoke</b>\",\"status\":\"finished\"}");
        Files.writeString(run.resolve("report.html"), "<!DOCTYPE html><html><body>the report</body></html>");
        Files.writeString(data.resolve("secret.txt"), "not for the web");
        cluster = new ClusterCoordinator(new ClusterCoordinator.Settings("127.0.0.1", freePort(), "web-" + UUID.randomUUID(), 10), TOKEN);
        vertx = Vertx.vertx();
        int port = freePort();
        new RunApi(cluster, data, TOKEN, true).listen(vertx, "127.0.0.1", port).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        base = "http://127.0.0.1:" + port;
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

    private static HttpResponse<String> get(String path, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10));
        if (cookie != null) b.header("cookie", cookie);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> login(String token) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/login")).header("content-type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + java.net.URLEncoder.encode(token, java.nio.charset.StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String session() throws Exception {
        HttpResponse<String> r = login(TOKEN);
        assertThat(r.statusCode()).isEqualTo(303);
        String cookie = r.headers().firstValue("set-cookie").orElseThrow();
        assertThat(cookie).contains("HttpOnly").contains("SameSite=Strict").doesNotContain(TOKEN);
        return cookie.substring(0, cookie.indexOf(';'));
    }

    @Test
    void withoutTheToken_everyPageAsksForIt_andAWrongTokenIsRefused() throws Exception {
        for (String path : new String[] {"/", "/runs/20261128-120000-smoke/report.html"}) {
            HttpResponse<String> r = get(path, null);
            assertThat(r.statusCode()).isEqualTo(401);
            assertThat(r.body()).contains("<form method=\"post\" action=\"/login\"").doesNotContain("the report");
        }
        assertThat(login("wrong-token").statusCode()).isEqualTo(401);
        assertThat(get("/", "tokensiege_session=forged").statusCode()).isEqualTo(401);
    }

    @Test
    void signedIn_theIndexListsRuns_escaped_andLinksTheirReports() throws Exception {
        HttpResponse<String> r = get("/", session());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-security-policy")).contains(WebUi.CSP);
        assertThat(r.body()).contains("20261128-120000-smoke").contains("&lt;b&gt;smoke&lt;/b&gt;").doesNotContain("<b>smoke</b>")
                .contains("href=\"/runs/20261128-120000-smoke/report.html\"");
        HttpResponse<String> report = get("/runs/20261128-120000-smoke/report.html", session());
        assertThat(report.statusCode()).isEqualTo(200);
        assertThat(report.body()).contains("the report");
    }

    @Test
    void onlyReportsAreServed_noOtherFile_andNoPathLeavesTheDataFolder() throws Exception {
        String s = session();
        for (String path : new String[] {"/runs/20261128-120000-smoke/run.json", "/runs/../secret.txt", "/runs/%2E%2E/report.html",
                "/runs/..%2Fsecret.txt/report.html", "/runs/nope/report.html"}) {
            HttpResponse<String> r = get(path, s);
            assertThat(r.statusCode()).as(path).isIn(400, 404);
            assertThat(r.body()).as(path).doesNotContain("not for the web");
        }
    }

    @Test
    void anOversizedSignInBody_isRefused_notBuffered() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/login")).header("content-type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + "x".repeat(64 * 1024))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(413);
    }

    @Test
    void theSessionCookie_opensPagesOnly_notTheApiThatStartsRuns() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/runs")).header("cookie", session())
                .header("content-type", "application/yaml").POST(HttpRequest.BodyPublishers.ofString("name: x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(get("/api/workers", session()).statusCode()).isEqualTo(401);
    }
}
