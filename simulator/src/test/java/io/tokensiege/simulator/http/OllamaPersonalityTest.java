package io.tokensiege.simulator.http;

import static io.tokensiege.simulator.http.SimHarness.chatBody;
import static io.tokensiege.simulator.http.SimHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.simulator.profile.Profiles;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The ollama personality's habits over real HTTP. */
@Timeout(60)
class OllamaPersonalityTest {
    private static final String MODEL = "gemma4:26b";
    private static SimHarness sims;
    private static SimulatorServer ollama;

    @BeforeAll
    static void start() throws Exception {
        sims = new SimHarness();
        ollama = sims.start(Profiles.load("ollama-like", Map.of("server.context_tokens", 50)), 50);
    }

    @AfterAll
    static void stop() throws Exception {
        sims.close();
    }

    @Test
    void promptBeyondTheContext_isSilentlyTruncated_andUsageSaysSo() throws Exception {
        String longQuestion = "word ".repeat(200); // 1,000 bytes: 250 tokens + 4 framing + 3 priming
        try (RawHttp conn = new RawHttp(ollama.port())) {
            RawHttp.Response r = conn.post("/v1/chat/completions", chatBody(MODEL, longQuestion, 3, false));
            assertThat(r.status()).isEqualTo(200);
            assertThat(json(r.body()).at("/usage/prompt_tokens").asInt()).isEqualTo(50);
            GroundTruth truth = ollama.groundTruth().byId(Long.parseLong(r.header("x-sim-request-id")));
            assertThat(truth.promptTokens).isEqualTo(50);
            assertThat(truth.requestedPromptTokens).isEqualTo(257);

            RawHttp.Response fits = conn.post("/v1/chat/completions", chatBody(MODEL, "short", 3, false));
            assertThat(json(fits.body()).at("/usage/prompt_tokens").asInt()).as("a prompt that fits is not touched").isEqualTo(3 + 4 + 2);
        }
    }

    @Test
    void apiPs_listsTheLoadedModelWithItsContext() throws Exception {
        try (RawHttp conn = new RawHttp(ollama.port())) {
            JsonNode model = json(conn.get("/api/ps").body()).at("/models/0");
            assertThat(model.get("name").asText()).isEqualTo(MODEL);
            assertThat(model.get("context_length").asInt()).isEqualTo(50);
            assertThat(json(conn.get("/api/version").body()).get("version").asText()).isNotBlank();
        }
    }

    @Test
    void apiShow_describesTheModel_orAnswers404ForAnother() throws Exception {
        try (RawHttp conn = new RawHttp(ollama.port())) {
            JsonNode show = json(conn.post("/api/show", "{\"model\":\"" + MODEL + "\"}").body());
            assertThat(show.get("parameters").asText()).contains("num_ctx").contains("50");
            assertThat(show.at("/details/format").asText()).isEqualTo("gguf");
            assertThat(show.get("model_info").isObject()).isTrue();
            RawHttp.Response other = conn.post("/api/show", "{\"model\":\"nope:1b\"}");
            assertThat(other.status()).isEqualTo(404);
            assertThat(json(other.body()).get("error").asText()).contains("nope:1b");
        }
    }
}
