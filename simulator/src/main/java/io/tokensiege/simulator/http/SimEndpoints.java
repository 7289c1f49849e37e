package io.tokensiege.simulator.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokensiege.simulator.profile.Profile;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.DoubleSupplier;

/**
 * The simulator's own endpoints, beside those of the server it imitates: {@code GET /sim/requests} (the ground truth
 * of every request, from {@code ?after=ID}) and {@code GET /sim/profile} (its settings, for provenance).
 */
final class SimEndpoints {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Profile profile;
    private final GroundTruthLog truthLog;
    private final DoubleSupplier speed;

    SimEndpoints(Profile profile, GroundTruthLog truthLog, DoubleSupplier speed) {
        this.profile = profile;
        this.truthLog = truthLog;
        this.speed = speed;
    }

    void requests(HttpServerRequest req) {
        long after = parseLong(req.getParam("after"), 0);
        ObjectNode root = JSON.createObjectNode().put("simulated", true);
        ArrayNode list = root.putArray("requests");
        for (GroundTruth t : truthLog.since(after)) {
            ObjectNode n = list.addObject().put("id", t.id).put("fault", t.fault).put("outcome", t.outcome())
                    .put("prompt_tokens", t.promptTokens).put("cached_tokens", t.cachedTokens())
                    .put("received_nanos", t.receivedNanos).put("admitted_nanos", t.admittedNanos())
                    .put("end_nanos", t.endNanos());
            if (t.requestedPromptTokens != t.promptTokens) n.put("requested_prompt_tokens", t.requestedPromptTokens);
            n.put("preemptions", t.preemptions());
            if (t.preemptions() > 0) {
                ArrayNode preemptedAfter = n.putArray("preempted_after_tokens");
                t.preemptedAfterTokens().forEach(preemptedAfter::add);
                n.put("paused_ms", t.pausedMs()); // simulated time
            }
            n.put("answer", t.toolCallName() == null ? "content" : "tool_call");
            if (t.toolCallName() != null) {
                n.putObject("tool_call").put("id", t.toolCallId()).put("name", t.toolCallName()).put("malformed", t.toolCallMalformed());
            }
            if (t.queueWaitMs() >= 0) n.put("queue_wait_ms", t.queueWaitMs()); // simulated time
            if (t.promptMs() >= 0) n.put("prompt_ms", t.promptMs());
            long[] flushes = t.tokenFlushNanos();
            n.put("tokens", flushes.length);
            if (flushes.length > 0) {
                n.put("first_token_nanos", flushes[0]).put("last_token_nanos", flushes[flushes.length - 1])
                        .put("server_ttft_micros", (flushes[0] - t.receivedNanos) / 1000);
            }
        }
        req.response().putHeader("content-type", "application/json").end(root.toString());
    }

    void profile(HttpServerRequest req) {
        ObjectNode root = JSON.valueToTree(profile);
        root.put("simulated", true).put("speed", speed.getAsDouble());
        req.response().putHeader("content-type", "application/json").end(root.toString());
    }

    private static long parseLong(String s, long fallback) {
        try {
            return s == null ? fallback : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
