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
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The coordinator's web pages as a network-facing coordinator serves them: token sign-in, run list, reports, nothing else. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
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
        Files.writeString(run.resolve("run.json"), "{\"plan\":\"<b>smoke</b>\",\"status\":\"finished\",\"started_epoch_millis\":1795867200000,"
                + "\"targets\":[{\"name\":\"ollama\",\"simulated\":false},{\"name\":\"sim\",\"simulated\":true}],"
                + "\"slo_verdicts\":{\"ollama\":\"MEETS the SLO\",\"sim\":\"FAILS the SLO: concurrency fails at every level\"}}");
        Files.setLastModifiedTime(run.resolve("run.json"), java.nio.file.attribute.FileTime.fromMillis(1795867200000L + 95_000));
        Files.writeString(run.resolve("report.html"), "<!DOCTYPE html><html><body>the report</body></html>");
        Files.writeString(run.resolve("summary.md"), "| metric | ollama |\n");
        Files.writeString(run.resolve("results.csv"), "step,ttft_p50_ms\n");
        Files.writeString(run.resolve("plan.yaml"), "name: smoke\n");
        Files.writeString(run.resolve("failures.jsonl"), "{}\n");
        Files.createDirectories(run.resolve("hlog/ollama/concurrency"));
        Files.writeString(run.resolve("hlog/ollama/concurrency/c4.hlog"), "#[StartTime: 0]\n");
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
        assertThat(r.headers().firstValue("content-security-policy")).contains(Replies.CSP);
        assertThat(Replies.CSP).contains("script-src 'self';").doesNotContain("script-src 'self' 'unsafe").doesNotContain("http");
        assertThat(r.body()).contains("20261128-120000-smoke").contains("&lt;b&gt;smoke&lt;/b&gt;").doesNotContain("<b>smoke</b>")
                .contains("href=\"/runs/20261128-120000-smoke/report.html\"");
        // date, duration, targets and verdict, and every file of the run
        assertThat(r.body()).contains("2026-11-28 12:00:00 UTC").contains("1 min 35 s").contains("ollama, sim (sim)")
                .contains("ollama: MEETS the SLO").contains("sim: FAILS the SLO: concurrency fails at every level");
        for (String f : new String[] {"report.html", "summary.md", "results.csv", "run.json", "plan.yaml", "failures.jsonl", "hlog/ollama/concurrency/c4.hlog"}) {
            assertThat(r.body()).contains("href=\"/runs/20261128-120000-smoke/" + f + "\"");
        }
        // the page's script and chart library come from the jar, nothing from another site
        assertThat(r.body()).contains("<script src=\"/assets/uPlot.iife.min.js\"").contains("<script src=\"/assets/live.js\"")
                .doesNotContain("<script>").doesNotContain("src=\"http");
        HttpResponse<String> report = get("/runs/20261128-120000-smoke/report.html", session());
        assertThat(report.statusCode()).isEqualTo(200);
        assertThat(report.body()).contains("the report");
    }

    @Test
    void theRunsFiles_areServedWithTheirContentTypes_andNoPathLeavesTheDataFolder() throws Exception {
        String s = session();
        java.util.Map<String, String> types = java.util.Map.of("report.html", "text/html; charset=utf-8", "summary.md", "text/markdown; charset=utf-8",
                "results.csv", "text/csv; charset=utf-8", "run.json", "application/json", "plan.yaml", "application/yaml; charset=utf-8",
                "failures.jsonl", "application/x-ndjson; charset=utf-8", "hlog/ollama/concurrency/c4.hlog", "text/plain; charset=utf-8");
        for (var e : types.entrySet()) {
            HttpResponse<String> r = get("/runs/20261128-120000-smoke/" + e.getKey(), s);
            assertThat(r.statusCode()).as(e.getKey()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-type")).as(e.getKey()).contains(e.getValue());
            assertThat(r.headers().firstValue("x-content-type-options")).contains("nosniff");
        }
        for (String path : new String[] {"/runs/../secret.txt", "/runs/%2E%2E/report.html", "/runs/..%2Fsecret.txt/report.html", "/runs/nope/report.html",
                "/runs/20261128-120000-smoke/../../secret.txt", "/runs/20261128-120000-smoke/hlog", "/runs/20261128-120000-smoke/hlog/ollama",
                "/runs/20261128-120000-smoke/other.txt", "/runs/20261128-120000-smoke/.hidden", "/runs/20261128-120000-smoke"}) {
            HttpResponse<String> r = get(path, s);
            assertThat(r.statusCode()).as(path).isIn(400, 404);
            assertThat(r.body()).as(path).doesNotContain("not for the web");
        }
    }

    private static HttpResponse<String> form(String path, String cookie, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("content-type", "application/x-www-form-urlencoded")
                .header("origin", base).POST(HttpRequest.BodyPublishers.ofString(body));
        if (cookie != null) b.header("cookie", cookie);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String csrfOfThePage(String cookie) throws Exception {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("name=\"csrf\" value=\"([0-9a-f]+)\"").matcher(get("/", cookie).body());
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    @Test
    void theStartAndStopForms_needTheSession_andThePagesCsrfToken() throws Exception {
        String s = session();
        String csrf = csrfOfThePage(s);
        assertThat(form("/ui/runs/stop", null, "csrf=" + csrf).statusCode()).isEqualTo(401); // no session: the sign-in page
        assertThat(form("/ui/runs/stop", s, "").statusCode()).isEqualTo(403);
        assertThat(form("/ui/runs/stop", s, "csrf=" + "0".repeat(csrf.length())).statusCode()).isEqualTo(403);
        assertThat(form("/ui/runs", s, "plan=name%3A+x&csrf=wrong").statusCode()).isEqualTo(403);
        HttpResponse<String> stopped = form("/ui/runs/stop", s, "csrf=" + csrf);
        assertThat(stopped.statusCode()).isEqualTo(303); // accepted (nothing was running), back to the page
        assertThat(stopped.headers().firstValue("location")).contains("/");
    }

    @Test
    void aPlanPastedIntoThePage_isCheckedWithLinePreciseErrors_shownOnThePage() throws Exception {
        String s = session();
        String plan = "name: pasted\ntargets:\n  - { name: t, url: \"http://127.0.0.1:9/v1\", model: m }\nscenarios:\n  - { name: s, prompt: { tokens: 8 }, reqests: 1 }\n";
        HttpResponse<String> r = form("/ui/runs", s, "csrf=" + csrfOfThePage(s) + "&file=mine.yaml&plan=" + java.net.URLEncoder.encode(plan, java.nio.charset.StandardCharsets.UTF_8));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("id=\"plan-errors\"").contains("mine.yaml:5:").contains("did you mean &#39;requests&#39;?")
                .contains("reqests: 1"); // the text comes back in the form, to be fixed
        HttpResponse<String> valid = form("/ui/runs", s, "csrf=" + csrfOfThePage(s) + "&plan=" + java.net.URLEncoder.encode(plan.replace("reqests", "requests"),
                java.nio.charset.StandardCharsets.UTF_8));
        assertThat(valid.statusCode()).isEqualTo(409); // past every check of the plan: this coordinator has no worker
        assertThat(valid.body()).contains("no worker has joined");
    }

    @Test
    void anOversizedSignInBody_isRefused_notBuffered() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/login")).header("content-type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("token=" + "x".repeat(64 * 1024))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(413);
    }

    @Test
    void aClientAskingForH2c_isAnsweredInHttp11() throws Exception {
        // the JDK client asks for an h2c upgrade on a body-less request unless pinned to HTTP/1.1
        HttpResponse<String> r = get("/", null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    }

    @Test
    void theSessionCookie_opensPagesOnly_notTheApiThatStartsRuns() throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/runs")).header("cookie", session())
                .header("content-type", "application/yaml").POST(HttpRequest.BodyPublishers.ofString("name: x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(get("/api/workers", session()).statusCode()).isEqualTo(401);
    }
}
