package io.tokensiege.simulator.http;

import static io.tokensiege.simulator.http.SimHarness.json;
import static io.tokensiege.simulator.http.SimHarness.metrics;
import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.simulator.profile.Profiles;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A profile's KV capacity over real HTTP: a preempted stream pauses and completes, ground truth and /metrics say so. */
@Timeout(60)
class KvLimitHttpTest {
    private static final String MODEL = "llama-3.1-8b-instruct";
    private static final double SPEED = 50;
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
        // Capacity 300: both fit at admission (2 x 101); holding 2 x (100 + 50 + 1) = 302 after 50 tokens, one is preempted.
        SimulatorServer s = sims.start(Profiles.load("vllm", Map.of("engine.kv_capacity_tokens", 300, "server.idle_close_ms", 0)), SPEED);
        List<CompletableFuture<RawHttp.Response>> streams = List.of('a', 'b').stream()
                .map(fill -> CompletableFuture.supplyAsync(() -> post(s, String.valueOf(fill).repeat(380))))
                .toList();
        for (CompletableFuture<RawHttp.Response> f : streams) {
            RawHttp.Response r = f.get(30, TimeUnit.SECONDS);
            List<String> events = SimHarness.events(r.body());
            assertThat(events).hasSize(1 + 120 + 1 + 1 + 1);
            assertThat(json(events.get(events.size() - 2)).at("/usage/prompt_tokens").asInt()).isEqualTo(100);
        }
        List<GroundTruth> truths = s.groundTruth().all();
        assertThat(truths).extracting(GroundTruth::preemptions).containsExactlyInAnyOrder(0, 1);
        assertThat(truths).extracting(GroundTruth::outcome).containsOnly("ok");
        GroundTruth preempted = truths.stream().filter(t -> t.preemptions() == 1).findFirst().orElseThrow();
        assertThat(preempted.tokenFlushNanos()).hasSize(120);
        // Preempted once the two held more than 300 (2 x 101 + e1 + e2 > 300, e2 <= e1): after at most 50 of its tokens.
        int e2 = preempted.preemptedAfterTokens().get(0);
        assertThat(e2).isBetween(1, 50);
        // It paused until the other (e1 <= 100 - e2 then) had decoded its last 120 - e1 tokens alone, 11.5 ms each (simulated).
        assertThat(preempted.pausedMs()).isGreaterThanOrEqualTo((120 - (100 - e2)) * 11.5);

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

    private static RawHttp.Response post(SimulatorServer s, String content) {
        try {
            return Conversation.post(s, "/v1/chat/completions", SimHarness.chatBody(MODEL, content, 120, true));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
