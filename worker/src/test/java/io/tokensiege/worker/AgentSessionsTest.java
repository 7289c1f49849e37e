package io.tokensiege.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.common.chat.ToolCatalog;
import io.tokensiege.common.json.Json;
import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.plan.Scenario;
import io.tokensiege.common.plan.Target;
import io.tokensiege.common.plan.Timeouts;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.protocol.StepFinished;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Agent sessions against a scripted server that remembers every request: each turn carries the whole history (the
 * server's real replies), a tool call is answered with a tool message naming it, and a session starts anew after
 * its last turn.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AgentSessionsTest {
    private static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Answers "reply-<n>" to each request; to the first user turn 2 of a conversation, a tool call instead. */
    private static ScriptedServer server(List<JsonNode> requests) throws Exception {
        return new ScriptedServer(r -> {
            JsonNode body = Json.MAPPER.readTree(r.body);
            requests.add(body);
            JsonNode messages = body.get("messages");
            JsonNode last = messages.get(messages.size() - 1);
            boolean secondTurn = last.path("role").asText().equals("user") && last.path("content").asText().startsWith("Question 2:");
            String head = "data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"choices\":[";
            r.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
            List<String> events = new ArrayList<>();
            if (secondTurn) {
                events.add(head + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"index\":0,\"id\":\"call_7\",\"type\":"
                        + "\"function\",\"function\":{\"name\":\"search_docs\",\"arguments\":\"\"}}]},\"finish_reason\":null}]}\n\n");
                events.add(head + "{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"{\\\"query\\\":\"}}]},\"finish_reason\":null}]}\n\n");
                events.add(head + "{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"\\\"deploys\\\"}\"}}]},\"finish_reason\":null}]}\n\n");
                events.add(head + "{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n");
            } else {
                events.add(head + "{\"index\":0,\"delta\":{\"content\":\"reply-" + requests.size() + "\"},\"finish_reason\":null}]}\n\n");
                events.add(head + "{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
            }
            events.add(head + "],\"usage\":{\"prompt_tokens\":" + (100 * messages.size()) + ",\"completion_tokens\":2,\"prompt_tokens_details\":{\"cached_tokens\":"
                    + (messages.size() > 2 ? 100 * (messages.size() - 1) : 0) + "}}}\n\n");
            events.add("data: [DONE]\n\n");
            for (String e : events) r.write(Integer.toHexString(e.getBytes(StandardCharsets.UTF_8).length) + "\r\n" + e + "\r\n");
            r.write("0\r\n\r\n");
            return true;
        });
    }

    /** One conversation per session (no duration): every request is known in advance, whatever the machine's load. */
    private static StepFinished run(ScriptedServer server, int sessions, int turns, Scenario.Tools tools) throws Exception {
        return run(server, sessions, turns, tools, 0);
    }

    private static StepFinished run(ScriptedServer server, int sessions, int turns, Scenario.Tools tools, long durationMillis) throws Exception {
        Target target = new Target("scripted", server.baseUrl(), "m", null, Map.of(), Map.of(), null);
        StepSpec step = new StepSpec("agents", 0, StepKind.SESSIONS, target, "agents", sessions, 1, turns, durationMillis, 0, 0, 20, 0.0, 0, true, 200,
                List.of("role"), new Timeouts(2_000, 5_000, 5_000, 10_000), 7, "nonce", null, null, null,
                new StepSpec.Conversation(true, tools, "constant", false), null);
        return SimulatorHarness.runStep(vertx, new SecretBox("test-token"), step, sessions, 30);
    }

    @Test
    void everyTurnCarriesTheWholeHistory_andToolCallsAreAnsweredWithToolMessages() throws Exception {
        List<JsonNode> requests = new CopyOnWriteArrayList<>();
        Scenario.Tools tools = new Scenario.Tools(ToolCatalog.builtin(), "auto", List.of(2), 50);
        try (ScriptedServer server = server(requests)) {
            StepFinished f = run(server, 1, 3, tools);

            assertThat(f.records()).hasSize(4).allSatisfy(r -> {
                assertThat(r.outcome().error()).as(r.outcome().errorDetail()).isNull();
                assertThat(r.measured()).isTrue();
            });
            assertThat(requests).hasSize(4);
            // One conversation: turn 1, turn 2 (a tool call), its follow-up, turn 3.
            JsonNode t1 = requests.get(0).get("messages");
            JsonNode t2 = requests.get(1).get("messages");
            JsonNode followUp = requests.get(2).get("messages");
            JsonNode t3 = requests.get(3).get("messages");
            assertThat(t1).hasSize(2);
            assertThat(t1.get(0).get("role").asText()).isEqualTo("system");
            assertThat(t2).hasSize(4);
            assertThat(t2.get(2).get("role").asText()).isEqualTo("assistant");
            assertThat(t2.get(2).get("content").asText()).isEqualTo("reply-1"); // the server's real reply
            assertThat(requests.get(1).get("tool_choice").asText()).isEqualTo("required");
            assertThat(requests.get(1).get("tools")).hasSize(10);
            assertThat(followUp).hasSize(6);
            JsonNode call = followUp.get(4);
            assertThat(call.get("role").asText()).isEqualTo("assistant");
            assertThat(call.get("content").isNull()).isTrue();
            assertThat(call.at("/tool_calls/0/id").asText()).isEqualTo("call_7");
            assertThat(call.at("/tool_calls/0/function/name").asText()).isEqualTo("search_docs");
            assertThat(call.at("/tool_calls/0/function/arguments").asText()).isEqualTo("{\"query\":\"deploys\"}");
            JsonNode result = followUp.get(5);
            assertThat(result.get("role").asText()).isEqualTo("tool");
            assertThat(result.get("tool_call_id").asText()).isEqualTo("call_7");
            assertThat(result.get("content").asText()).startsWith("{\"results\": ");
            assertThat(requests.get(2).get("tool_choice").asText()).isEqualTo("auto"); // the follow-up reads the result freely
            assertThat(t3).hasSize(8);
            assertThat(t3.get(6).get("content").asText()).isEqualTo("reply-3");
            assertThat(t3.get(0)).isEqualTo(t1.get(0)); // the same session's prefix all along
            // Prompts grow by each reply and each new turn; the next conversation starts small with a new prefix.
            List<RequestRecord> byOrder = f.records().stream().sorted(Comparator.comparingInt(rec -> rec.origin().seq())).toList();
            assertThat(byOrder.get(1).tokens().promptTokens()).isGreaterThan(byOrder.get(0).tokens().promptTokens());
            assertThat(byOrder.get(3).tokens().promptTokens()).isGreaterThan(byOrder.get(2).tokens().promptTokens());
            RequestRecord callTurn = byOrder.get(1);
            assertThat(callTurn.agent().toolCalls()).isEqualTo(1);
            assertThat(callTurn.agent().ttftToolCallMicros()).isNotNull();
            assertThat(callTurn.agent().malformedToolCall()).isFalse();
            assertThat(byOrder.get(2).agent().followUp()).isTrue();
            assertThat(byOrder.get(2).agent().userTurn()).isEqualTo(2);
        }
    }

    @Test
    void forADuration_aSessionThatEndsStartsANewConversationWithANewPrefix() throws Exception {
        List<JsonNode> requests = new CopyOnWriteArrayList<>();
        try (ScriptedServer server = server(requests)) {
            // One turn per conversation against a server that answers at once: 4 s hold many conversations.
            StepFinished f = run(server, 1, 1, null, 4_000);

            assertThat(f.records()).allSatisfy(r -> assertThat(r.outcome().error()).as(r.outcome().errorDetail()).isNull());
            assertThat(requests).hasSizeGreaterThanOrEqualTo(2).allSatisfy(r -> assertThat(r.get("messages")).hasSize(2)); // each starts small
            long prefixes = requests.stream().map(r -> r.get("messages").get(0).get("content").asText()).distinct().count();
            assertThat(prefixes).isEqualTo(requests.size()); // per-session prefix: a new conversation, a new prefix
            assertThat(f.records().stream().map(r -> r.agent().session()).distinct().count()).isEqualTo(requests.size());
        }
    }

    @Test
    void sessionsSplitTheirHistoriesAndKeepTheirOwnPrefixes() throws Exception {
        List<JsonNode> requests = new CopyOnWriteArrayList<>();
        try (ScriptedServer server = server(requests)) {
            StepFinished f = run(server, 3, 2, null);

            assertThat(f.records()).hasSize(6).allSatisfy(r -> assertThat(r.outcome().error()).isNull());
            long prefixes = requests.stream().map(r -> r.get("messages").get(0).get("content").asText()).distinct().count();
            long sessions = f.records().stream().map(r -> r.agent().session()).distinct().count();
            assertThat(prefixes).isEqualTo(sessions).isEqualTo(3);
            assertThat(requests).allSatisfy(r -> assertThat(r.has("tools")).isFalse());
        }
    }
}
