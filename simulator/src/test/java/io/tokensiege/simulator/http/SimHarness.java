package io.tokensiege.simulator.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tokensiege.simulator.profile.Profile;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Simulators on ephemeral loopback ports for one test class, and the JSON and Prometheus parsing its tests share. */
final class SimHarness implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private final Vertx vertx = Vertx.vertx();
    private final List<SimulatorServer> servers = new ArrayList<>();

    SimulatorServer start(Profile profile, double speed) throws Exception {
        SimulatorServer s = SimulatorServer.start(vertx, profile, "127.0.0.1", 0, speed).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        servers.add(s);
        return s;
    }

    static String chatBody(String model, String content, int maxTokens, boolean stream) throws Exception {
        return JSON.writeValueAsString(Map.of("model", model, "messages", List.of(Map.of("role", "user", "content", content)),
                "max_tokens", maxTokens, "stream", stream, "stream_options", Map.of("include_usage", true)));
    }

    /** Data payloads of an SSE body, asserting nothing: error and malformed events are what some tests look for. */
    static List<String> events(String sse) {
        List<String> out = new ArrayList<>();
        for (String block : sse.split("\n\n")) if (block.startsWith("data: ")) out.add(block.substring("data: ".length()));
        return out;
    }

    static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    /** Samples of a Prometheus text page by name with labels, e.g. {@code vllm:prompt_tokens_total{engine="0",...}}; HELP/TYPE skipped. */
    static Map<String, Double> metrics(String page) {
        Map<String, Double> out = new HashMap<>();
        for (String line : page.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            int space = line.lastIndexOf(' ');
            out.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        servers.forEach(SimulatorServer::close);
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
