package io.tokensiege.simulator.http;

import static io.tokensiege.simulator.http.SimHarness.json;
import static io.tokensiege.simulator.http.SimHarness.metrics;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.simulator.profile.Profiles;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A profile's KV capacity over real HTTP: a preempted stream pauses and completes, ground truth and /metrics say so. */
@Timeout(60)
class KvLimitHttpTest {
    private static final String MODEL = "llama-3.1-8b-instruct";
    private static final double SPEED = 10;
    private static final int MAX_TOKENS = 1100;
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
    void twoStreamsOutgrowingTheCapacity_oneIsPreemptedAndResumes_everyTokenArrives() throws Exception {
        // vLLM's ChatML at 4.3 chars a token: 380 characters of content make a 100-token prompt (430 characters).
        // The second is admitted beside the first while 101 + (101 + e1) <= 1,200, i.e. until the first has 998 tokens (2.3 s at
        // 11.5 ms a step, 1.1 s here): sent once the first streams, it arrives within that window whatever the machine's load.
        // Once they hold more than 1,200 (e1 + e2 >= 999), the second, the last admitted, is preempted.
        SimulatorServer s = sims.start(Profiles.load("vllm", Map.of("engine.kv_capacity_tokens", 1200, "server.idle_close_ms", 0)), SPEED);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest first = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/v1/chat/completions")).timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body('a'))).build();
        Iterator<String> firstLines = client.send(first, HttpResponse.BodyHandlers.ofLines()).body().iterator();
        List<String> firstEvents = new ArrayList<>();
        while (firstEvents.size() < 2 && firstLines.hasNext()) {
            String line = firstLines.next();
            if (line.startsWith("data: ")) firstEvents.add(line.substring("data: ".length())); // the role chunk, then the first token
        }
        List<String> secondEvents = SimHarness.events(Conversation.post(s, "/v1/chat/completions", body('b')).body());
        firstLines.forEachRemaining(line -> {
            if (line.startsWith("data: ")) firstEvents.add(line.substring("data: ".length()));
        });
        for (List<String> events : List.of(firstEvents, secondEvents)) {
            assertThat(events).hasSize(1 + MAX_TOKENS + 1 + 1 + 1);
            assertThat(json(events.get(events.size() - 2)).at("/usage/prompt_tokens").asInt()).isEqualTo(100);
        }
        List<GroundTruth> truths = s.groundTruth().all();
        assertThat(truths).extracting(GroundTruth::preemptions).containsExactlyInAnyOrder(0, 1);
        assertThat(truths).extracting(GroundTruth::outcome).containsOnly("ok");
        GroundTruth preempted = truths.get(1);
        assertThat(preempted.preemptions()).as("the last admitted is the one preempted").isEqualTo(1);
        assertThat(preempted.tokenFlushNanos()).hasSize(MAX_TOKENS);
        // Preempted when e1 + e2 first reached 999 or 1,000 (two tokens a step), e2 < e1: after fewer than 500 of its tokens.
        int e2 = preempted.preemptedAfterTokens().get(0);
        assertThat(e2).isBetween(1, 499);
        // It paused until the first (e1 <= 1,000 - e2 then) had decoded its last tokens alone, 11.5 ms each (simulated).
        assertThat(preempted.pausedMs()).isGreaterThanOrEqualTo((MAX_TOKENS - (1000 - e2)) * 11.5);

        try (RawHttp conn = new RawHttp(s.port())) {
            var served = json(conn.get("/sim/requests").body()).get("requests");
            assertThat(served).extracting(n -> n.get("preemptions").asInt()).containsExactlyInAnyOrder(0, 1);
            assertThat(served).filteredOn(n -> n.get("preemptions").asInt() == 1)
                    .extracting(n -> n.at("/preempted_after_tokens/0").asInt()).containsExactly(e2);
            Map<String, Double> m = metrics(conn.get("/metrics").body());
            assertThat(m.get("vllm:num_preemptions_total{engine=\"0\",model_name=\"" + MODEL + "\"}")).isEqualTo(1.0);
            assertThat(m.get("vllm:num_requests_running{engine=\"0\",model_name=\"" + MODEL + "\"}")).isZero();
            assertThat(m.get("vllm:num_requests_waiting{engine=\"0\",model_name=\"" + MODEL + "\"}")).isZero();
        }
    }

    private static String body(char fill) throws Exception {
        return SimHarness.chatBody(MODEL, String.valueOf(fill).repeat(380), MAX_TOKENS, true);
    }
}
