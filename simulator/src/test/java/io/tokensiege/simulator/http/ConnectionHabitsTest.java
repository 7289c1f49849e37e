package io.tokensiege.simulator.http;

import static io.tokensiege.simulator.http.SimHarness.chatBody;
import static io.tokensiege.simulator.http.SimHarness.events;
import static io.tokensiege.simulator.http.SimHarness.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokensiege.simulator.profile.FaultConfig;
import io.tokensiege.simulator.profile.Profile;
import io.tokensiege.simulator.profile.Profiles;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Habits every personality can have: idle keep-alive closes, the in-stream error fault, context errors, profile checks. */
@Timeout(60)
class ConnectionHabitsTest {
    private static final String MODEL = "gemma-4-26b-4bit";
    private static SimHarness sims;

    @BeforeAll
    static void start() {
        sims = new SimHarness();
    }

    @AfterAll
    static void stop() throws Exception {
        sims.close();
    }

    @Test
    void idleClose_closesAnIdleKeepAliveConnection_butNeverOneWithARequestInProgress() throws Exception {
        SimulatorServer s = sims.start(Profiles.load("dense-26b", Map.of("server.idle_close_ms", 600)), 50);
        try (RawHttp conn = new RawHttp(s.port())) {
            assertThat(conn.get("/v1/models").status()).isEqualTo(200);
            // A stream held back 1.2 s by a stall: longer than the idle limit, but the connection is in use.
            RawHttp.Response stalled = conn.post("/v1/chat/completions", chatBody(MODEL, "hi", 3, true), "x-sim-fault: stall:1:1200");
            assertThat(events(stalled.body())).last().isEqualTo("[DONE]");
            long idleFrom = System.nanoTime();
            assertThat(conn.closedByServerWithin(Duration.ofMillis(200))).as("not yet idle for 600 ms").isFalse();
            assertThat(conn.closedByServerWithin(Duration.ofSeconds(5))).isTrue();
            assertThat((System.nanoTime() - idleFrom) / 1e6).as("closed once idle for the limit").isGreaterThan(500);
        }
    }

    @Test
    void withoutIdleClose_anIdleConnectionStays() throws Exception {
        SimulatorServer s = sims.start(Profiles.load("dense-26b"), 50);
        try (RawHttp conn = new RawHttp(s.port())) {
            assertThat(conn.get("/v1/models").status()).isEqualTo(200);
            assertThat(conn.closedByServerWithin(Duration.ofMillis(500))).isFalse();
            assertThat(conn.get("/v1/models").status()).isEqualTo(200);
        }
    }

    @Test
    void streamErrorFault_onAnOpenAiServer_endsTheStreamWithTheErrorEvent_andKeepsTheConnection() throws Exception {
        SimulatorServer s = sims.start(Profiles.load("dense-26b"), 50);
        try (RawHttp conn = new RawHttp(s.port())) {
            RawHttp.Response r = conn.post("/v1/chat/completions", chatBody(MODEL, "hi", 8, true), "x-sim-fault: stream_error:2");
            assertThat(r.status()).isEqualTo(200);
            List<String> events = events(r.body());
            assertThat(events).hasSize(1 + 2 + 1);
            assertThat(json(events.get(3)).at("/error/message").asText()).contains("peg-native format");
            assertThat(conn.get("/v1/models").status()).as("the connection is kept").isEqualTo(200);
            assertThat(s.groundTruth().byId(Long.parseLong(r.header("x-sim-request-id"))).outcome()).isEqualTo("stream_error");

            RawHttp.Response plain = conn.post("/v1/chat/completions", chatBody(MODEL, "hi", 8, false), "x-sim-fault: stream_error:2");
            assertThat(plain.status()).as("not streamed: the same failure as a 500").isEqualTo(500);
            // The engine let go of both sequences: a normal request still gets a slot and completes.
            assertThat(json(conn.post("/v1/chat/completions", chatBody(MODEL, "hi", 2, false)).body()).at("/usage/completion_tokens").asInt()).isEqualTo(2);
        }
    }

    @Test
    void streamErrorShare_isDrawnPerRequestFromTheProfile() throws Exception {
        Profile p = Profiles.load("dense-26b", Map.of("faults.stream_error_share", 1.0, "faults.stream_error_after_tokens", 1));
        SimulatorServer s = sims.start(p, 50);
        try (RawHttp conn = new RawHttp(s.port())) {
            List<String> events = events(conn.post("/v1/chat/completions", chatBody(MODEL, "hi", 5, true)).body());
            assertThat(events).hasSize(1 + 1 + 1);
            assertThat(events.get(2)).startsWith("{\"error\":");
        }
        var shares = new FaultConfig(0, 0, 0, 0, 0, 0, 0, 0, 0, 0.25, 3);
        int errors = 0;
        for (long id = 1; id <= 10_000; id++) if (FaultPlan.draw(shares, 42, id).kind() == FaultPlan.Kind.STREAM_ERROR) errors++;
        assertThat(errors).isBetween(2300, 2700);
        assertThat(FaultPlan.fromHeader("stream_error:3")).isEqualTo(new FaultPlan(FaultPlan.Kind.STREAM_ERROR, 3, 0));
    }

    @Test
    void openAiServer_refusesAnOverLongPromptInOpenAisWords() throws Exception {
        SimulatorServer s = sims.start(Profiles.load("dense-26b", Map.of("server.context_tokens", 20)), 50);
        try (RawHttp conn = new RawHttp(s.port())) {
            RawHttp.Response r = conn.post("/v1/chat/completions", chatBody(MODEL, "x".repeat(100), 2, true));
            assertThat(r.status()).isEqualTo(400);
            assertThat(json(r.body()).at("/error/code").asText()).isEqualTo("context_length_exceeded");
            assertThat(json(r.body()).at("/error/param").asText()).isEqualTo("messages");
            assertThat(json(r.body()).at("/error/message").asText()).contains("maximum context length is 20 tokens").contains("32 tokens");
        }
    }

    @Test
    void charsPerToken_setsPromptTokensAndTheyFeedPrefill() throws Exception {
        SimulatorServer s = sims.start(Profiles.load("dense-26b", Map.of("server.chars_per_token", 2.0)), 50);
        try (RawHttp conn = new RawHttp(s.port())) {
            int tokens = json(conn.post("/v1/chat/completions", chatBody(MODEL, "x".repeat(100), 2, false)).body()).at("/usage/prompt_tokens").asInt();
            assertThat(tokens).isEqualTo(50 + 4 + 3);
        }
    }

    @Test
    void profiles_stateTheirPersonality_andContradictionsAreRefusedClearly() {
        assertThat(Profiles.load("ollama-like").server().personality().label()).isEqualTo("ollama");
        assertThat(Profiles.load("reasoning-ollama").server().personality().label()).isEqualTo("ollama");
        assertThat(Profiles.load("reasoning-vllm").server().personality().label()).isEqualTo("vllm");
        assertThat(Profiles.load("vllm").server().charsPerToken()).isEqualTo(4.3);
        for (String demo : List.of("dense-26b", "moe-35b-a3b", "omlx-stock", "omlx-tuned", "ollama-like")) {
            Profile p = Profiles.load(demo);
            assertThat(p.server().charsPerToken()).as(demo).isEqualTo(4.0);
            assertThat(p.server().contextTokens()).as(demo).isZero();
            assertThat(p.server().idleCloseMs()).as(demo).isZero();
        }
        assertThatThrownBy(() -> Profiles.load("dense-26b", Map.of("server.personality", "sglang")))
                .hasMessageContaining("'sglang' is not one of: openai, llama.cpp, vllm, ollama");
        assertThatThrownBy(() -> Profiles.load("reasoning-vllm", Map.of("server.personality", "ollama")))
                .hasMessageContaining("reasoning_field 'reasoning_content' contradicts server.personality 'ollama'");
        assertThatThrownBy(() -> Profiles.load("dense-26b", Map.of("server.chars_per_token", 0)))
                .hasMessageContaining("server.chars_per_token must be between 1 and 32");
    }
}
