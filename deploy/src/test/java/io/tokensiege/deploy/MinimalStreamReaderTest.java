package io.tokensiege.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.common.json.Json;
import io.tokensiege.simulator.http.SimulatorServer;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The bench's floor reads what the simulator sent, and its first-token times are physically possible. */
class MinimalStreamReaderTest {
    @Test
    @Timeout(60)
    void countsEveryTokenAndTimesEachFirstToken_neverBeforeTheServerSentIt() throws Exception {
        Vertx vertx = Vertx.vertx();
        try (SimulatorServer sim = BenchStep.startSimulator(vertx, 8, 200);
             MinimalStreamReader reader = new MinimalStreamReader(sim.port(), 4, 20)) {
            reader.timeFirstTokens(true);
            reader.readUntil(System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
            Map<Long, JsonNode> served = new HashMap<>();
            HttpResponse<String> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sim.port() + "/sim/requests")).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            for (JsonNode t : Json.MAPPER.readTree(r.body()).path("requests")) served.put(t.get("id").asLong(), t);
            long sentTokens = served.values().stream().mapToLong(t -> t.path("tokens").asLong()).sum();
            assertThat(sentTokens).as("tokens the simulator sent").isGreaterThan(100);
            // every token sent was counted, but for the last request of each stream: the server went on after the reading stopped
            assertThat(reader.tokens).isBetween(sentTokens - 4 * 20, sentTokens);
            assertThat(reader.firstTokenMicros).isNotEmpty();
            reader.firstTokenMicros.forEach((id, clientTtftMicros) -> {
                assertThat(served).as("a request id the simulator gave").containsKey(id);
                // the client sent before the server received, and read after the server wrote: its TTFT is never shorter
                assertThat(clientTtftMicros).isGreaterThanOrEqualTo(served.get(id).get("server_ttft_micros").asLong());
            });
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        }
    }
}
