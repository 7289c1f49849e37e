package io.tokensiege.simulator.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokensiege.simulator.profile.Profile;
import io.tokensiege.simulator.profile.Profiles;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@org.junit.jupiter.api.Timeout(value = 120, unit = java.util.concurrent.TimeUnit.SECONDS)
class SimulatorServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    private static Vertx vertx;
    private static final List<SimulatorServer> servers = new ArrayList<>();

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() throws Exception {
        servers.forEach(SimulatorServer::close);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static SimulatorServer start(Profile profile, double speed) throws Exception {
        SimulatorServer s = SimulatorServer.start(vertx, profile, "127.0.0.1", 0, speed)
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        servers.add(s);
        return s;
    }

    private static HttpRequest.Builder chat(SimulatorServer s, String body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(20)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static String body(String model, int maxTokens, boolean stream) {
        return "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}],\"max_tokens\":" + maxTokens
                + ",\"temperature\":0,\"stream\":" + stream + ",\"stream_options\":{\"include_usage\":true}}";
    }

    @Test
    void aClientAskingForH2c_isAnsweredInHttp11() throws Exception {
        SimulatorServer s = start(Profiles.load("dense-26b"), 50);
        // an unpinned JDK client asks for an h2c upgrade on a body-less request; the servers the simulator imitates ignore it
        HttpClient unpinned = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = unpinned.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/v1/models"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    }

    /** Splits an SSE body into its events' data payloads, asserting the exact 'data: X\n\n' framing. */
    private static List<String> events(String sse) {
        assertThat(sse).endsWith("\n\n");
        List<String> out = new ArrayList<>();
        for (String block : sse.substring(0, sse.length() - 2).split("\n\n", -1)) {
            assertThat(block).startsWith("data: ").doesNotContain("\n");
            out.add(block.substring("data: ".length()));
        }
        return out;
    }

    @Test
    void stream_hasRoleChunkContentFinishUsageAndDone() throws Exception {
        SimulatorServer s = start(Profiles.load("dense-26b"), 50);
        HttpResponse<String> r = HTTP.send(chat(s, body("gemma-4-26b-4bit", 5, true)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).contains("text/event-stream");
        assertThat(r.headers().firstValue("x-simulated")).contains("true");
        List<String> events = events(r.body());
        assertThat(events).hasSize(1 + 5 + 1 + 1 + 1);
        JsonNode role = JSON.readTree(events.get(0)).at("/choices/0/delta");
        assertThat(role.get("role").asText()).isEqualTo("assistant");
        assertThat(role.get("content").asText()).isEmpty();
        for (int i = 1; i <= 5; i++) {
            JsonNode chunk = JSON.readTree(events.get(i));
            assertThat(chunk.get("object").asText()).isEqualTo("chat.completion.chunk");
            assertThat(chunk.at("/choices/0/delta/content").asText()).isNotBlank();
            assertThat(chunk.at("/choices/0/finish_reason").isNull()).isTrue();
        }
        assertThat(JSON.readTree(events.get(6)).at("/choices/0/finish_reason").asText()).isEqualTo("length");
        JsonNode usage = JSON.readTree(events.get(7));
        assertThat(usage.get("choices").isEmpty()).isTrue();
        assertThat(usage.at("/usage/completion_tokens").asInt()).isEqualTo(5);
        assertThat(usage.at("/usage/prompt_tokens").asInt()).isEqualTo(3 + 4 + 3); // "Hello there" = 11 bytes = 3 tokens
        assertThat(usage.at("/usage/prompt_tokens_details/cached_tokens").isInt()).isTrue();
        assertThat(events.get(8)).isEqualTo("[DONE]");

        long id = Long.parseLong(r.headers().firstValue("x-sim-request-id").orElseThrow());
        GroundTruth truth = s.groundTruth().byId(id);
        assertThat(truth.tokens()).isEqualTo(5);
        assertThat(truth.outcome()).isEqualTo("ok");
        assertThat(truth.firstTokenNanos()).isGreaterThan(truth.receivedNanos);
    }

    @Test
    void stream_withoutIncludeUsage_hasNoUsageChunk() throws Exception {
        SimulatorServer s = start(Profiles.load("dense-26b"), 50);
        String b = "{\"model\":\"gemma-4-26b-4bit\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":2,\"stream\":true}";
        List<String> events = events(HTTP.send(chat(s, b).build(), HttpResponse.BodyHandlers.ofString()).body());
        assertThat(events).hasSize(1 + 2 + 1 + 1);
        assertThat(events).noneMatch(e -> e.contains("\"usage\""));
    }

    @Test
    void ollamaStyleReasoning_streamsInReasoningWithEmptyContent() throws Exception {
        SimulatorServer s = start(Profiles.load("reasoning-ollama"), 200);
        List<String> events = events(HTTP.send(chat(s, body("gemma4-think:26b", 62, true)).build(), HttpResponse.BodyHandlers.ofString()).body());
        JsonNode firstToken = JSON.readTree(events.get(1)).at("/choices/0/delta");
        assertThat(firstToken.get("content").asText()).isEmpty();
        assertThat(firstToken.get("reasoning").asText()).isNotBlank();
        assertThat(JSON.readTree(events.get(60)).at("/choices/0/delta/reasoning").asText()).isNotBlank();
        JsonNode answer = JSON.readTree(events.get(61)).at("/choices/0/delta");
        assertThat(answer.has("reasoning")).isFalse();
        assertThat(answer.get("content").asText()).isNotBlank();
        JsonNode usage = JSON.readTree(events.get(events.size() - 2)).get("usage");
        assertThat(usage.at("/completion_tokens_details/reasoning_tokens").asInt()).isEqualTo(60);
        assertThat(usage.get("completion_tokens").asInt()).isEqualTo(62);
    }

    @Test
    void vllmStyleReasoning_streamsInReasoningContent() throws Exception {
        SimulatorServer s = start(Profiles.load("reasoning-vllm"), 200);
        List<String> events = events(HTTP.send(chat(s, body("qwen3-think-sim", 61, true)).build(), HttpResponse.BodyHandlers.ofString()).body());
        JsonNode firstToken = JSON.readTree(events.get(1)).at("/choices/0/delta");
        assertThat(firstToken.has("content")).isFalse();
        assertThat(firstToken.get("reasoning_content").asText()).isNotBlank();
        assertThat(JSON.readTree(events.get(61)).at("/choices/0/delta/content").asText()).isNotBlank();
    }

    @Test
    void nonStreaming_returnsOneBodyWithUsage_andSameTextForSamePrompt() throws Exception {
        SimulatorServer s = start(Profiles.load("dense-26b"), 50);
        HttpResponse<String> r = HTTP.send(chat(s, body("gemma-4-26b-4bit", 24, false)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode root = JSON.readTree(r.body());
        assertThat(root.get("object").asText()).isEqualTo("chat.completion");
        String content = root.at("/choices/0/message/content").asText();
        assertThat(content.split(" ")).hasSize(24);
        assertThat(content).matches("[A-Za-z .]+");
        assertThat(root.at("/usage/completion_tokens").asInt()).isEqualTo(24);
        String again = JSON.readTree(HTTP.send(chat(s, body("gemma-4-26b-4bit", 24, false)).build(),
                HttpResponse.BodyHandlers.ofString()).body()).at("/choices/0/message/content").asText();
        assertThat(again).isEqualTo(content);
    }

    @Test
    void models_listsTheProfileModel() throws Exception {
        SimulatorServer s = start(Profiles.load("moe-35b-a3b"), 50);
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(JSON.readTree(r.body()).at("/data/0/id").asText()).isEqualTo("qwen3.6-35b-a3b-4bit");
    }

    @Test
    void badInput_getsOpenAiStyleErrors() throws Exception {
        SimulatorServer s = start(Profiles.load("dense-26b"), 50);
        HttpResponse<String> unknown = HTTP.send(chat(s, body("no-such-model", 5, true)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(unknown.body()).at("/error/code").asText()).isEqualTo("model_not_found");
        assertThat(JSON.readTree(unknown.body()).at("/error/message").asText()).contains("no-such-model").contains("gemma-4-26b-4bit");

        HttpResponse<String> malformed = HTTP.send(chat(s, "{\"model\": ").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(malformed.body()).at("/error/message").asText()).contains("not valid JSON");

        HttpResponse<String> noMessages = HTTP.send(chat(s, "{\"model\":\"gemma-4-26b-4bit\"}").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(noMessages.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(noMessages.body()).at("/error/param").asText()).isEqualTo("messages");

        HttpResponse<String> badMax = HTTP.send(chat(s, "{\"model\":\"gemma-4-26b-4bit\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":0}").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(badMax.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(badMax.body()).at("/error/param").asText()).isEqualTo("max_tokens");
    }

    @Test
    void faultHeader_500and429_answerWithErrorBodies() throws Exception {
        SimulatorServer s = start(Profiles.load("dense-26b"), 50);
        HttpResponse<String> e500 = HTTP.send(chat(s, body("gemma-4-26b-4bit", 5, true)).header("x-sim-fault", "500").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(e500.statusCode()).isEqualTo(500);
        assertThat(JSON.readTree(e500.body()).at("/error/type").asText()).isEqualTo("server_error");
        HttpResponse<String> e429 = HTTP.send(chat(s, body("gemma-4-26b-4bit", 5, true)).header("x-sim-fault", "429").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(e429.statusCode()).isEqualTo(429);
        assertThat(e429.headers().firstValue("retry-after")).contains("1");
        HttpResponse<String> bad = HTTP.send(chat(s, body("gemma-4-26b-4bit", 5, true)).header("x-sim-fault", "explode").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
    }

    @Test
    void faultDrop_closesMidStreamWithoutDone() throws Exception {
        SimulatorServer s = start(Profiles.load("dense-26b"), 50);
        HttpResponse<Stream<String>> r = HTTP.send(chat(s, body("gemma-4-26b-4bit", 20, true)).header("x-sim-fault", "drop:3").build(),
                HttpResponse.BodyHandlers.ofLines());
        List<String> seen = new ArrayList<>();
        assertThatThrownBy(() -> r.body().forEach(seen::add)).hasRootCauseInstanceOf(IOException.class);
        assertThat(seen).noneMatch(l -> l.contains("[DONE]"));
        long id = Long.parseLong(r.headers().firstValue("x-sim-request-id").orElseThrow());
        assertThat(s.groundTruth().byId(id).tokens()).isEqualTo(3);
        assertThat(s.groundTruth().byId(id).outcome()).isEqualTo("dropped");
    }

    @Test
    void faultMalformed_sendsOneEventThatIsNotJson() throws Exception {
        SimulatorServer s = start(Profiles.load("dense-26b"), 50);
        List<String> events = events(HTTP.send(chat(s, body("gemma-4-26b-4bit", 4, true)).header("x-sim-fault", "malformed:2").build(),
                HttpResponse.BodyHandlers.ofString()).body());
        int broken = 0;
        for (String e : events) {
            if (e.equals("[DONE]")) continue;
            try {
                JSON.readTree(e);
            } catch (IOException ex) {
                broken++;
            }
        }
        assertThat(broken).isEqualTo(1);
        assertThat(events.get(events.size() - 1)).isEqualTo("[DONE]");
    }

    @Test
    void faultStall_holdsTheTokenBackForTheGivenTime() throws Exception {
        SimulatorServer s = start(Profiles.load("dense-26b"), 50);
        HttpResponse<String> r = HTTP.send(chat(s, body("gemma-4-26b-4bit", 3, true)).header("x-sim-fault", "stall:1:300").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(events(r.body())).hasSize(1 + 3 + 3);
        long[] flushes = s.groundTruth().byId(Long.parseLong(r.headers().firstValue("x-sim-request-id").orElseThrow())).tokenFlushNanos();
        assertThat(flushes).hasSize(3);
        assertThat(flushes[1] - flushes[0]).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
    }

    @Test
    void writeLag_countsEveryTokenOnSchedule_butNotTokensAStallHeldBackOnPurpose() throws Exception {
        SimulatorServer s = start(Profiles.load("dense-26b"), 50);
        HTTP.send(chat(s, body("gemma-4-26b-4bit", 5, true)).build(), HttpResponse.BodyHandlers.ofString());
        WriteLag.Interval normal = s.writeLag().interval();
        assertThat(normal.tokens()).isEqualTo(5);

        HTTP.send(chat(s, body("gemma-4-26b-4bit", 3, true)).header("x-sim-fault", "stall:1:1000").build(), HttpResponse.BodyHandlers.ofString());
        WriteLag.Interval stalled = s.writeLag().interval();
        assertThat(stalled.tokens()).as("token 0 left on schedule; tokens 1 and 2 were held by the fault").isEqualTo(1);
        assertThat(stalled.lagMicros().getMaxValue()).isLessThan(TimeUnit.MILLISECONDS.toMicros(1000));
    }

    @Test
    void profileFaultShares_areDrawnDeterministically() {
        var config = new io.tokensiege.simulator.profile.FaultConfig(0.2, 0, 0.1, 5, 0, 0, 0, 0, 0, 0, 0);
        int[] counts = new int[FaultPlan.Kind.values().length];
        for (long id = 1; id <= 10_000; id++) counts[FaultPlan.draw(config, 42, id).kind().ordinal()]++;
        assertThat(counts[FaultPlan.Kind.HTTP_500.ordinal()]).isBetween(1800, 2200);
        assertThat(counts[FaultPlan.Kind.DROP.ordinal()]).isBetween(850, 1150);
        assertThat(FaultPlan.draw(config, 42, 77)).isEqualTo(FaultPlan.draw(config, 42, 77));
    }

    @Test
    void queueLimit_answers429WhenMoreThanLimitWait() throws Exception {
        Profile p = Profiles.load("ollama-like", Map.of("faults.max_queue", 1));
        SimulatorServer s = start(p, 1);
        // Its own client: a half-read line stream would hold back the shared client's deliveries.
        HttpClient longClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<Stream<String>> running = longClient.send(chat(s, body("gemma4:26b", 100_000, true)).build(), HttpResponse.BodyHandlers.ofLines());
        // Once a token line arrives, the long request holds the only slot.
        running.body().filter(l -> l.contains("\"content\":\"") && !l.contains("\"role\"")).findFirst().orElseThrow();
        var client = vertx.createHttpClient(new io.vertx.core.http.PoolOptions().setHttp1MaxSize(4));
        String req = body("gemma4:26b", 5, true);
        java.util.function.Supplier<CompletableFuture<Integer>> send = () -> client
                .request(io.vertx.core.http.HttpMethod.POST, s.port(), "127.0.0.1", "/v1/chat/completions")
                .compose(r -> r.send(req)).map(io.vertx.core.http.HttpClientResponse::statusCode)
                .toCompletionStage().toCompletableFuture();
        CompletableFuture<Integer> b = send.get();
        CompletableFuture<Integer> c = send.get();
        // One of the two waits for the slot (its headers are sent at once with status 200); the other is refused.
        int[] statuses = {b.get(10, TimeUnit.SECONDS), c.get(10, TimeUnit.SECONDS)};
        Arrays.sort(statuses);
        assertThat(statuses).containsExactly(200, 429);
    }

    @Test
    void profiles_allLoad_andOverridesApply() {
        for (String name : Profiles.BUILT_IN) assertThat(Profiles.load(name).engine()).isNotNull();
        assertThat(Profiles.load("omlx-tuned").engine().kvInitialBlocks()).isEqualTo(1024);
        assertThat(Profiles.load("omlx-tuned").engine().slots()).isEqualTo(4); // inherited from dense-26b
        assertThat(Profiles.load("dense-26b", Map.of("engine.slots", 8)).engine().slots()).isEqualTo(8);
        assertThatThrownBy(() -> Profiles.load("nope")).hasMessageContaining("built-in profiles");
        assertThatThrownBy(() -> Profiles.load("dense-26b", Map.of("engine.slotz", 8))).hasMessageContaining("slotz");
    }
}
