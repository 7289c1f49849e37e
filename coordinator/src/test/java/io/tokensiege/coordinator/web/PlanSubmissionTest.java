package io.tokensiege.coordinator.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.plan.PlanOptions;
import io.tokensiege.coordinator.cluster.ClusterCoordinator;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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

/** A plan submitted to the REST API is checked from its bytes, under the coordinator's own --allow-key-env. */
@Timeout(60)
class PlanSubmissionTest {
    private static final String TOKEN = "plan-submission-test-token-0123456789";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String PLAN = """
            name: p
            targets:
              - { name: t, url: "http://127.0.0.1:9/v1", model: m, api_key_env: LAB_SECRET }
            scenarios:
              - { name: s, prompt: { tokens: 8 }, requests: 1 }
            description: "%s"
            """;
    @TempDir
    static Path data;
    private static ClusterCoordinator cluster;
    private static Vertx vertx;
    private static String base;

    @BeforeAll
    static void start() throws Exception {
        cluster = new ClusterCoordinator(new ClusterCoordinator.Settings("127.0.0.1", freePort(), "plans-" + UUID.randomUUID(), 10), TOKEN);
        vertx = Vertx.vertx();
        int port = freePort();
        new RunApi(cluster, data, TOKEN, true, PlanOptions.allowingKeyEnvs(List.of("LAB_SECRET")))
                .listen(vertx, "127.0.0.1", port).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        base = "http://127.0.0.1:" + port;
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        cluster.close();
    }

    private static HttpResponse<String> submit(byte[] plan) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/runs?file=lab.yaml")).timeout(Duration.ofSeconds(10))
                .header("authorization", "Bearer " + TOKEN).header("content-type", "application/yaml")
                .POST(HttpRequest.BodyPublishers.ofByteArray(plan)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void nonUtf8Plan_isRefusedWithTheBadBytesOffset_notSilentlyReplaced() throws Exception {
        ByteArrayOutputStream plan = new ByteArrayOutputStream();
        String text = PLAN.formatted("caf");
        int cut = text.lastIndexOf('"');
        plan.writeBytes(text.substring(0, cut).getBytes(StandardCharsets.UTF_8));
        plan.write(0xE9); // é in Latin-1
        plan.writeBytes(text.substring(cut).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = submit(plan.toByteArray());
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("lab.yaml:6:18: not UTF-8: byte 0xE9 at byte offset " + cut);
    }

    @Test
    void aKeyLikeVariableTheCoordinatorDidNotAllow_isRefused_soASubmitterCannotSendItsSecretsAway() throws Exception {
        HttpResponse<String> r = submit(PLAN.formatted("exfiltrate").replace("LAB_SECRET", "AWS_SECRET_ACCESS_KEY").getBytes(StandardCharsets.UTF_8));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("sends only the key variables its operator allowed by name, and not AWS_SECRET_ACCESS_KEY")
                .contains("--allow-key-env AWS_SECRET_ACCESS_KEY");
    }

    @Test
    void keyVariableTheCoordinatorAllows_passesTheCheck() throws Exception {
        HttpResponse<String> r = submit(PLAN.formatted("fine").getBytes(StandardCharsets.UTF_8));
        // past the plan check, the API stops at the next rule: no worker has joined
        assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
        assertThat(r.body()).contains("no worker has joined");
    }
}
