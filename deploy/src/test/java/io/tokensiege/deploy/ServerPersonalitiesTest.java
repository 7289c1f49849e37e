package io.tokensiege.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.common.json.Json;
import io.tokensiege.simulator.http.SimulatorServer;
import io.tokensiege.simulator.profile.Profiles;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code quick} against the simulator's server personalities (llama.cpp, vLLM, Ollama) at real speed: the same
 * habits the real-server tests meet, here everywhere. Prompts land on their size in each server's own tokenizer, a
 * plan that cannot fit the context is refused before any load, and each habit is reported.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ServerPersonalitiesTest {
    private static Vertx vertx;

    @TempDir
    Path runs;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static SimulatorServer simulator(String profile, Map<String, Object> overrides) throws Exception {
        return SimulatorServer.start(vertx, Profiles.load(profile, overrides), "127.0.0.1", 0, 1).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    private JsonNode quick(SimulatorServer sim, String... extra) throws Exception {
        String[] base = {"quick", "--url", "http://127.0.0.1:" + sim.port() + "/v1", "--model", sim.profile().model(), "--max-tokens", "30",
                "--duration", "2s", "--data", runs.toString()};
        String[] args = Stream.concat(Stream.of(base), Stream.of(extra)).toArray(String[]::new);
        int code = new CommandLine(new Tokensiege()).execute(args);
        assertThat(code).isIn(0, 3);
        try (Stream<Path> s = Files.list(runs)) {
            return Json.MAPPER.readTree(s.filter(Files::isDirectory).findFirst().orElseThrow().resolve("run.json").toFile());
        }
    }

    @Test
    void llamaCpp_promptsSizedByItsTokenizer_oneConnectionPerRequest_andQueueingNamed() throws Exception {
        try (SimulatorServer sim = simulator("llama-cpp", Map.of())) {
            JsonNode run = quick(sim, "--concurrency", "1,8");

            for (JsonNode step : run.get("steps")) {
                assertThat(step.get("ok").asInt()).as(step.get("step_id").asText()).isEqualTo(step.get("requests").asInt());
                assertThat(step.at("/prompt_size/counted_p50").asDouble()).isCloseTo(64, within(0.03 * 64));
                assertThat(step.at("/prompt_size/sizing").asText()).startsWith("llama.cpp /tokenize");
                // Each request's decode rate against the simulator's own timings for it: the same clock underneath, so within 2 %.
                assertThat(step.at("/server/decode_gap_pct_p50").isNumber()).as(step.get("step_id").asText() + " reports the gap").isTrue();
                assertThat(step.at("/server/decode_gap_pct_p50").asDouble()).as(step.get("step_id").asText()).isBetween(-2.0, 2.0);
            }
            assertThat(run.at("/server_notes/target").toString())
                    .contains("closes connections after each response while advertising Keep-Alive: timeout=5, max=100")
                    .contains("5.10 characters per token")
                    .contains("context: 4,096 tokens per request (llama.cpp /props n_ctx (per slot))");
            assertThat(run.at("/collapse/0/line").asText()).contains("most of the wait is queueing for a slot");
            // Its /props said 4 slots: 8 streams queue for them, and the knee's line says how many it has.
            for (JsonNode step : run.get("steps")) assertThat(step.at("/server/slots").asInt()).as(step.get("step_id").asText()).isEqualTo(4);
            assertThat(run.at("/server_metrics").toString()).contains("llamacpp:tokens_predicted_total");
        }
    }

    @Test
    void llamaCpp_aPromptBeyondTheSlotsContext_isRefusedBeforeAnyLoad() throws Exception {
        try (SimulatorServer sim = simulator("llama-cpp", Map.of())) {
            int code = new CommandLine(new Tokensiege()).execute("quick", "--url", "http://127.0.0.1:" + sim.port() + "/v1", "--model",
                    sim.profile().model(), "--prompt-tokens", "5000", "--concurrency", "1", "--duration", "1s", "--data", runs.toString());
            assertThat(code).isEqualTo(2);
            assertThat(sim.groundTruth().all()).isEmpty(); // not one request reached it
        }
    }

    @Test
    void vllm_tokenizerAndMaxModelLen_areUsed() throws Exception {
        try (SimulatorServer sim = simulator("vllm", Map.of())) {
            JsonNode run = quick(sim, "--concurrency", "2", "--prompt-tokens", "500");
            JsonNode step = run.get("steps").get(0);
            assertThat(step.at("/prompt_size/counted_p50").asDouble()).isCloseTo(500, within(0.03 * 500));
            assertThat(step.at("/prompt_size/sizing").asText()).startsWith("/tokenize");
            assertThat(run.at("/server_notes/target").toString()).contains("context: 8,192 tokens per request (/v1/models max_model_len)");
        }
    }

    @Test
    void ollama_withoutATokenizer_isSizedFromTheWarmUpsUsage() throws Exception {
        // 4.6 characters per token, not the 4 assumed: the two warm-up sizes' usage tells.
        try (SimulatorServer sim = simulator("ollama-like", Map.of("server.chars_per_token", 4.6))) {
            JsonNode run = quick(sim, "--concurrency", "1", "--prompt-tokens", "300");
            JsonNode step = run.get("steps").get(0);
            assertThat(step.at("/prompt_size/sizing").asText()).startsWith("usage of 2 warm-up requests");
            assertThat(step.at("/prompt_size/counted_p50").asDouble()).isCloseTo(300, within(0.05 * 300));
        }
    }

    @Test
    void ollama_aPromptItWouldSilentlyTruncate_isRefusedBeforeAnyLoad() throws Exception {
        try (SimulatorServer sim = simulator("ollama-like", Map.of("server.context_tokens", 200))) {
            java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
            java.io.PrintStream stdout = System.out;
            int code;
            System.setOut(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
            try {
                code = new CommandLine(new Tokensiege()).execute("quick", "--url", "http://127.0.0.1:" + sim.port() + "/v1", "--model",
                        sim.profile().model(), "--prompt-tokens", "300", "--concurrency", "1", "--duration", "1s", "--data", runs.toString());
            } finally {
                System.setOut(stdout);
            }
            assertThat(code).isEqualTo(2);
            assertThat(printed.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("holds 200 tokens per request (Ollama /api/ps context_length)")
                    .contains("would silently truncate the prompt");
        }
    }
}
