package io.tokensiege.simulator.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** One write lane per event loop, however many requests it serves: a long simulator run must not grow with its requests. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WriteBatcherTest {
    @Test
    void requestsOnOneEventLoop_shareOneLane_andItsWritesRunInOrder() throws Exception {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        WriteBatcher batcher = new WriteBatcher();
        try {
            HttpServer server = vertx.createHttpServer().requestHandler(req -> {
                WriteBatcher.Lane lane = batcher.lane(vertx.getOrCreateContext()); // as CompletionStream does, in the request handler
                req.response().setChunked(true);
                for (int i = 0; i < 3; i++) {
                    String part = i + ";";
                    lane.run(() -> req.response().write(part));
                }
                lane.run(() -> req.response().end());
            }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
            for (int i = 0; i < 50; i++) {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.actualPort() + "/")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(r.body()).isEqualTo("0;1;2;");
            }
            assertThat(batcher.laneCount()).as("lanes after 50 requests on one event loop").isEqualTo(1);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
