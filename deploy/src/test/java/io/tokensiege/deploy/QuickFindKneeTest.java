package io.tokensiege.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.common.json.Json;
import io.tokensiege.simulator.http.SimulatorServer;
import io.tokensiege.simulator.profile.Profiles;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** quick --find-knee against a server with 4 slots: climbs 1, 2, 4, 8 and stops after the collapse. */
class QuickFindKneeTest {
    @TempDir
    Path runs;

    @Test
    void findKnee_stopsAfterTheCollapse() throws Exception {
        Vertx vertx = Vertx.vertx();
        SimulatorServer sim = SimulatorServer.start(vertx, Profiles.load("dense-26b"), "127.0.0.1", 0, 20)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        try {
            int code = new CommandLine(new Tokensiege()).execute("quick", "--url", "http://127.0.0.1:" + sim.port() + "/v1",
                    "--model", "gemma-4-26b-4bit", "--find-knee", "--duration", "1s", "--max-tokens", "40", "--data", runs.toString());
            assertThat(code).isZero(); // level 1 meets the SLO
            Path dir;
            try (Stream<Path> s = Files.list(runs)) {
                dir = s.filter(Files::isDirectory).findFirst().orElseThrow();
            }
            JsonNode run = Json.MAPPER.readTree(dir.resolve("run.json").toFile());
            List<Integer> levels = new ArrayList<>();
            run.get("steps").forEach(st -> levels.add(st.get("concurrency").asInt()));
            assertThat(levels).containsExactly(1, 2, 4, 8);
            assertThat(run.at("/collapse/0/collapse_level").asInt()).isEqualTo(8);
            assertThat(run.at("/collapse/0/usable_concurrency").asInt()).isEqualTo(4);
        } finally {
            sim.close();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
