package io.tokensiege.simulator.http;

import static io.tokensiege.simulator.http.LlamaCppPersonalityTest.delta;
import static io.tokensiege.simulator.http.SimHarness.chatBody;
import static io.tokensiege.simulator.http.SimHarness.events;
import static io.tokensiege.simulator.http.SimHarness.json;
import static io.tokensiege.simulator.http.SimHarness.metrics;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.simulator.profile.Profiles;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The vllm personality's habits over real HTTP. */
@Timeout(60)
class VllmPersonalityTest {
    private static final String MODEL = "llama-3.1-8b-instruct";
    private static final String LABELS = "{engine=\"0\",model_name=\"" + MODEL + "\"}";
    private static SimHarness sims;
    private static SimulatorServer vllm;

    @BeforeAll
    static void start() throws Exception {
        sims = new SimHarness();
        vllm = sims.start(Profiles.load("vllm", Map.of("server.idle_close_ms", 0)), 20);
    }

    @AfterAll
    static void stop() throws Exception {
        sims.close();
    }

    @Test
    void models_carryMaxModelLen() throws Exception {
        try (RawHttp conn = new RawHttp(vllm.port())) {
            JsonNode model = json(conn.get("/v1/models").body()).at("/data/0");
            assertThat(model.get("id").asText()).isEqualTo(MODEL);
            assertThat(model.get("max_model_len").asInt()).isEqualTo(8192);
            assertThat(json(conn.get("/version").body()).get("version").asText()).endsWith("-sim");
        }
    }

    @Test
    void tokenizeMessages_countsWhatAChatRequestCounts() throws Exception {
        List<Map<String, String>> messages = List.of(Map.of("role", "system", "content", "Be brief."),
                Map.of("role", "user", "content", "What does a tokenizer do with this sentence, exactly?"));
        try (RawHttp conn = new RawHttp(vllm.port())) {
            JsonNode tokenized = json(conn.post("/tokenize", SimHarness.JSON.writeValueAsString(Map.of("model", MODEL, "messages", messages))).body());
            String chat = SimHarness.JSON.writeValueAsString(Map.of("model", MODEL, "messages", messages, "max_tokens", 2));
            int usagePrompt = json(conn.post("/v1/chat/completions", chat).body()).at("/usage/prompt_tokens").asInt();
            assertThat(tokenized.get("count").asInt()).isEqualTo(usagePrompt).isEqualTo(tokenized.get("tokens").size());
            assertThat(tokenized.get("max_model_len").asInt()).isEqualTo(8192);

            JsonNode prompt = json(conn.post("/tokenize", "{\"model\":\"" + MODEL + "\",\"prompt\":\"" + "x".repeat(43) + "\"}").body());
            assertThat(prompt.get("count").asInt()).as("43 characters at 4.3 a token").isEqualTo(10);
        }
    }

    @Test
    void promptBeyondMaxModelLen_getsVllmsExact400() throws Exception {
        SimulatorServer small = sims.start(Profiles.load("vllm", Map.of("server.context_tokens", 4096)), 20);
        // ChatML adds 50 bytes to one user message: 25,920 bytes at 4.3 bytes a token = 6,028 tokens.
        try (RawHttp conn = new RawHttp(small.port())) {
            RawHttp.Response r = conn.post("/v1/chat/completions", chatBody(MODEL, "a".repeat(25_870), 8, true));
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.body()).isEqualTo("{\"object\":\"error\",\"message\":\"This model's maximum context length is 4096 tokens. However, you "
                    + "requested 6028 tokens in the messages, Please reduce the length of the messages.\",\"type\":\"BadRequestError\",\"param\":null,\"code\":400}");
            assertThat(conn.closedByServerWithin(Duration.ofMillis(300))).as("vLLM keeps the connection").isFalse();
        }
    }

    @Test
    void metrics_moveByExactlyWhatWasServed() throws Exception {
        SimulatorServer s = sims.start(Profiles.load("vllm", Map.of("server.idle_close_ms", 0)), 20);
        try (RawHttp conn = new RawHttp(s.port())) {
            String page = conn.get("/metrics").body();
            assertThat(page).contains("# TYPE vllm:time_to_first_token_seconds histogram\n").contains("vllm:cache_config_info{block_size=\"16\"");
            Map<String, Double> before = metrics(page);
            RawHttp.Response r = conn.post("/v1/chat/completions", chatBody(MODEL, "Count me in.", 6, true));
            List<String> events = events(r.body());
            JsonNode usage = json(events.get(events.size() - 2)).get("usage");
            Map<String, Double> after = metrics(conn.get("/metrics").body());
            GroundTruth truth = s.groundTruth().byId(Long.parseLong(r.header("x-sim-request-id")));

            assertThat(delta(before, after, "vllm:prompt_tokens_total" + LABELS)).isEqualTo(usage.get("prompt_tokens").asDouble());
            assertThat(delta(before, after, "vllm:generation_tokens_total" + LABELS)).isEqualTo(6);
            assertThat(delta(before, after, "vllm:time_to_first_token_seconds_count" + LABELS)).isEqualTo(1);
            double ttftSeconds = (truth.queueWaitMs() + truth.promptMs()) / 1000; // simulated: queued, then slot to first token
            assertThat(delta(before, after, "vllm:time_to_first_token_seconds_sum" + LABELS)).isCloseTo(ttftSeconds, within(1e-9));
            String bucket = ttftSeconds <= 0.1 ? "0.1" : "2560";
            assertThat(delta(before, after, "vllm:time_to_first_token_seconds_bucket{le=\"" + bucket + "\",engine=\"0\",model_name=\"" + MODEL + "\"}"))
                    .isEqualTo(1);
            assertThat(after.get("vllm:num_requests_running" + LABELS)).isZero();
            assertThat(after.get("vllm:num_requests_waiting" + LABELS)).isZero();
        }
    }

    @Test
    void reasoning_streamsInReasoningContent() throws Exception {
        SimulatorServer s = sims.start(Profiles.load("vllm", Map.of("engine.reasoning_tokens", 2)), 20);
        try (RawHttp conn = new RawHttp(s.port())) {
            List<String> events = events(conn.post("/v1/chat/completions", chatBody(MODEL, "think", 3, true)).body());
            assertThat(json(events.get(1)).at("/choices/0/delta/reasoning_content").asText()).isNotBlank();
            assertThat(json(events.get(3)).at("/choices/0/delta/content").asText()).isNotBlank();
        }
    }
}
