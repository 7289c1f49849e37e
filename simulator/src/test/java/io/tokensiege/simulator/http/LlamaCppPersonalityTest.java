package io.tokensiege.simulator.http;

import static io.tokensiege.simulator.http.SimHarness.chatBody;
import static io.tokensiege.simulator.http.SimHarness.events;
import static io.tokensiege.simulator.http.SimHarness.json;
import static io.tokensiege.simulator.http.SimHarness.metrics;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.simulator.profile.Profile;
import io.tokensiege.simulator.profile.Profiles;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The llama.cpp personality's habits, each observed over real HTTP (a plain socket where the connection matters). */
@Timeout(60)
class LlamaCppPersonalityTest {
    private static final String MODEL = "llama-3.2-3b-instruct-q4_k_m";
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(3);
    private static SimHarness sims;

    @BeforeAll
    static void start() {
        sims = new SimHarness();
    }

    @AfterAll
    static void stop() throws Exception {
        sims.close();
    }

    /** The llama-cpp profile without its 5 s idle close, so any close seen is the habit under test. */
    private static SimulatorServer llama(double speed) throws Exception {
        return sims.start(Profiles.load("llama-cpp", Map.of("server.idle_close_ms", 0)), speed);
    }

    @Test
    void stream_keepAliveAdvertised_butConnectionClosedRightAfterIt() throws Exception {
        SimulatorServer s = llama(20);
        try (RawHttp conn = new RawHttp(s.port())) {
            RawHttp.Response r = conn.post("/v1/chat/completions", chatBody(MODEL, "Hello there", 4, true));
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Keep-Alive")).isEqualTo("timeout=5, max=100");
            assertThat(r.header("Server")).isEqualTo("llama.cpp");
            assertThat(r.header("Connection")).as("llama.cpp does not announce the close").isNull();
            assertThat(events(r.body())).last().isEqualTo("[DONE]");
            assertThat(conn.closedByServerWithin(CLOSE_WAIT)).isTrue();
        }
    }

    @Test
    void getsAndNonStreamedAnswers_keepTheConnection() throws Exception {
        SimulatorServer s = llama(20);
        try (RawHttp conn = new RawHttp(s.port())) {
            RawHttp.Response health = conn.get("/health");
            assertThat(health.status()).isEqualTo(200);
            assertThat(json(health.body()).get("status").asText()).isEqualTo("ok");
            assertThat(health.header("Keep-Alive")).isEqualTo("timeout=5, max=100");
            RawHttp.Response chat = conn.post("/v1/chat/completions", chatBody(MODEL, "Hello there", 3, false));
            assertThat(chat.status()).isEqualTo(200);
            assertThat(json(chat.body()).at("/timings/predicted_n").asInt()).isEqualTo(3);
            assertThat(conn.get("/props").status()).as("the same connection still serves").isEqualTo(200);
            assertThat(conn.closedByServerWithin(Duration.ofMillis(300))).isFalse();
        }
    }

    @Test
    void errors_carryConnectionClose_andTheConnectionCloses() throws Exception {
        SimulatorServer s = llama(20);
        try (RawHttp conn = new RawHttp(s.port())) {
            RawHttp.Response e500 = conn.post("/v1/chat/completions", chatBody(MODEL, "hi", 3, true), "x-sim-fault: 500");
            assertThat(e500.status()).isEqualTo(500);
            assertThat(e500.header("Connection")).isEqualTo("close");
            assertThat(e500.header("Keep-Alive")).isNull();
            assertThat(json(e500.body()).at("/error/code").asInt()).isEqualTo(500);
            assertThat(json(e500.body()).at("/error/type").asText()).isEqualTo("server_error");
            assertThat(conn.closedByServerWithin(CLOSE_WAIT)).isTrue();
        }
        try (RawHttp conn = new RawHttp(s.port())) {
            RawHttp.Response notFound = conn.get("/nope");
            assertThat(notFound.status()).isEqualTo(404);
            assertThat(notFound.header("Connection")).isEqualTo("close");
            assertThat(json(notFound.body()).at("/error/type").asText()).isEqualTo("not_found_error");
            assertThat(conn.closedByServerWithin(CLOSE_WAIT)).isTrue();
        }
    }

    @Test
    void promptBeyondTheSlotContext_getsLlamaCppsExact400_thenClose() throws Exception {
        SimulatorServer s = llama(20);
        // ChatML adds 50 bytes to one user message: 30,740 bytes at 5.1 bytes a token = 6,028 tokens.
        String content = "a".repeat(30_690);
        try (RawHttp conn = new RawHttp(s.port())) {
            RawHttp.Response r = conn.post("/v1/chat/completions", chatBody(MODEL, content, 8, true));
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.header("Connection")).isEqualTo("close");
            assertThat(r.body()).isEqualTo("{\"error\":{\"code\":400,\"message\":\"request (6028 tokens) exceeds the available context size "
                    + "(4096 tokens), try increasing it\",\"type\":\"exceed_context_size_error\",\"n_prompt_tokens\":6028,\"n_ctx\":4096}}");
            assertThat(conn.closedByServerWithin(CLOSE_WAIT)).isTrue();
            long id = Long.parseLong(r.header("x-sim-request-id"));
            assertThat(s.groundTruth().byId(id).outcome()).isEqualTo("400");
        }
    }

    @Test
    void timings_agreeWithUsageAndGroundTruth() throws Exception {
        double speed = 5;
        SimulatorServer s = llama(speed);
        String system = "You are a careful assistant. ".repeat(40); // shared prefix: the second request hits the cache
        JsonNode first = usageChunk(s, system, "First question?", 20);
        JsonNode second = usageChunk(s, system, "Second question?", 20);
        for (JsonNode chunk : List.of(first, second)) {
            JsonNode t = chunk.get("timings");
            JsonNode usage = chunk.get("usage");
            assertThat(chunk.get("choices").isEmpty()).isTrue();
            assertThat(t.get("prompt_n").asInt() + t.get("cache_n").asInt()).isEqualTo(usage.get("prompt_tokens").asInt());
            assertThat(t.get("cache_n").asInt()).isEqualTo(usage.at("/prompt_tokens_details/cached_tokens").asInt());
            assertThat(t.get("predicted_n").asInt()).isEqualTo(usage.get("completion_tokens").asInt()).isEqualTo(20);
            assertThat(t.get("predicted_per_second").asDouble()).isCloseTo(1000.0 * 20 / t.get("predicted_ms").asDouble(), within(1e-6));
            GroundTruth truth = s.groundTruth().byId(chunk.get("sim_id").asLong());
            assertThat(t.get("prompt_ms").asDouble()).isEqualTo(truth.promptMs());
            assertThat(t.get("cache_n").asInt()).isEqualTo(truth.cachedTokens());
            // The profile's model: alone, each later token costs one 12 + 4.5 ms decode step of simulated time.
            assertThat(t.get("predicted_ms").asDouble()).isCloseTo(19 * 16.5, within(1e-6));
            long[] flushes = truth.tokenFlushNanos();
            double truthDecodeSimMs = (flushes[flushes.length - 1] - flushes[0]) * speed / 1e6;
            assertThat(t.get("predicted_ms").asDouble()).as("simulated first-to-last token, as the socket saw it")
                    .isCloseTo(truthDecodeSimMs, within(15 * speed));
        }
        assertThat(first.at("/timings/cache_n").asInt()).isZero();
        assertThat(second.at("/timings/cache_n").asInt()).as("the shared system prompt was cached").isGreaterThan(0);
        assertThat(second.at("/timings/prompt_ms").asDouble()).isLessThan(first.at("/timings/prompt_ms").asDouble());
    }

    /** The usage chunk of one streamed request, with its simulator id added as {@code sim_id}. */
    private static JsonNode usageChunk(SimulatorServer s, String system, String user, int maxTokens) throws Exception {
        String body = SimHarness.JSON.writeValueAsString(Map.of("model", MODEL, "max_tokens", maxTokens, "stream", true,
                "stream_options", Map.of("include_usage", true),
                "messages", List.of(Map.of("role", "system", "content", system), Map.of("role", "user", "content", user))));
        try (RawHttp conn = new RawHttp(s.port())) {
            RawHttp.Response r = conn.post("/v1/chat/completions", body);
            List<String> events = events(r.body());
            JsonNode usage = json(events.get(events.size() - 2));
            return ((com.fasterxml.jackson.databind.node.ObjectNode) usage).put("sim_id", Long.parseLong(r.header("x-sim-request-id")));
        }
    }

    @Test
    void applyTemplateThenTokenize_countsWhatAChatRequestCounts() throws Exception {
        SimulatorServer s = llama(20);
        List<Map<String, String>> messages = List.of(Map.of("role", "system", "content", "You answer in one line."),
                Map.of("role", "user", "content", "How many tokens is this question, by your own tokenizer?"));
        try (RawHttp conn = new RawHttp(s.port())) {
            String prompt = json(conn.post("/apply-template", SimHarness.JSON.writeValueAsString(Map.of("messages", messages))).body())
                    .get("prompt").asText();
            assertThat(prompt).isEqualTo("<|im_start|>system\nYou answer in one line.<|im_end|>\n<|im_start|>user\n"
                    + "How many tokens is this question, by your own tokenizer?<|im_end|>\n<|im_start|>assistant\n");
            int tokenized = json(conn.post("/tokenize", SimHarness.JSON.writeValueAsString(Map.of("content", prompt))).body()).get("tokens").size();
            String chat = SimHarness.JSON.writeValueAsString(Map.of("model", MODEL, "messages", messages, "max_tokens", 2));
            int usagePrompt = json(conn.post("/v1/chat/completions", chat).body()).at("/usage/prompt_tokens").asInt();
            assertThat(tokenized).isEqualTo(usagePrompt).isEqualTo((int) Math.ceil(prompt.length() / 5.1));
        }
    }

    @Test
    void props_tellSlotsAndContext() throws Exception {
        SimulatorServer s = llama(20);
        try (RawHttp conn = new RawHttp(s.port())) {
            JsonNode props = json(conn.get("/props").body());
            assertThat(props.get("total_slots").asInt()).isEqualTo(4);
            assertThat(props.at("/default_generation_settings/n_ctx").asInt()).isEqualTo(4096);
            assertThat(props.get("model_alias").asText()).isEqualTo(MODEL);
            assertThat(props.get("model_path").asText()).isNotBlank();
            assertThat(props.get("build_info").asText()).isNotBlank();
            assertThat(json(conn.get("/v1/models").body()).at("/data/0/meta/n_ctx").asInt()).isEqualTo(4096);
        }
    }

    @Test
    void metrics_moveByExactlyWhatWasServed() throws Exception {
        SimulatorServer s = llama(20);
        try (RawHttp conn = new RawHttp(s.port())) {
            String page = conn.get("/metrics").body();
            assertThat(page).contains("# HELP llamacpp:prompt_tokens_total Number of prompt tokens processed.\n"
                    + "# TYPE llamacpp:prompt_tokens_total counter\n");
            Map<String, Double> before = metrics(page);
            JsonNode answer = json(conn.post("/v1/chat/completions", chatBody(MODEL, "Count me.", 7, false)).body());
            Map<String, Double> after = metrics(conn.get("/metrics").body());
            JsonNode t = answer.get("timings");
            assertThat(delta(before, after, "llamacpp:prompt_tokens_total")).isEqualTo(t.get("prompt_n").asDouble());
            assertThat(delta(before, after, "llamacpp:prompt_seconds_total")).isCloseTo(t.get("prompt_ms").asDouble() / 1000, within(1e-9));
            assertThat(delta(before, after, "llamacpp:tokens_predicted_total")).isEqualTo(7);
            assertThat(delta(before, after, "llamacpp:tokens_predicted_seconds_total")).isCloseTo(t.get("predicted_ms").asDouble() / 1000, within(1e-9));
            assertThat(delta(before, after, "llamacpp:n_decode_total")).as("one pass for the prompt and first token, one per later token").isEqualTo(7);
            assertThat(after.get("llamacpp:requests_processing")).isZero();
            assertThat(after.get("llamacpp:requests_deferred")).isZero();
        }
    }

    static double delta(Map<String, Double> before, Map<String, Double> after, String name) {
        assertThat(after).containsKey(name);
        return after.get(name) - before.get(name);
    }

    @Test
    void streamErrorFault_sendsTheErrorEventInsideA200_thenCloses() throws Exception {
        SimulatorServer s = llama(20);
        try (RawHttp conn = new RawHttp(s.port())) {
            RawHttp.Response r = conn.post("/v1/chat/completions", chatBody(MODEL, "hi", 10, true), "x-sim-fault: stream_error:3");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.body()).endsWith("data: {\"error\":{\"code\":500,\"message\":\"The model produced output that does not match "
                    + "the expected peg-native format\",\"type\":\"server_error\"}}\n\n");
            List<String> events = events(r.body());
            assertThat(events).hasSize(1 + 3 + 1).noneMatch(e -> e.equals("[DONE]") || e.contains("finish_reason\":\"length"));
            assertThat(conn.closedByServerWithin(CLOSE_WAIT)).isTrue();
            GroundTruth truth = s.groundTruth().byId(Long.parseLong(r.header("x-sim-request-id")));
            assertThat(truth.outcome()).isEqualTo("stream_error");
            assertThat(truth.tokens()).isEqualTo(3);
        }
    }

    @Test
    void roleChunk_carriesNullContent_asLlamaCppDoes() throws Exception {
        SimulatorServer s = llama(20);
        try (RawHttp conn = new RawHttp(s.port())) {
            List<String> events = events(conn.post("/v1/chat/completions", chatBody(MODEL, "hi", 2, true)).body());
            JsonNode role = json(events.get(0)).at("/choices/0/delta");
            assertThat(role.get("role").asText()).isEqualTo("assistant");
            assertThat(role.get("content").isNull()).isTrue();
        }
    }

    @Test
    void profile_isLlamaCppWithItsTokenizerAndContext() {
        Profile p = Profiles.load("llama-cpp");
        assertThat(p.server().personality().label()).isEqualTo("llama.cpp");
        assertThat(p.server().charsPerToken()).isEqualTo(5.1);
        assertThat(p.server().contextTokens()).isEqualTo(4096);
        assertThat(p.engine().slots()).isEqualTo(4);
    }
}
