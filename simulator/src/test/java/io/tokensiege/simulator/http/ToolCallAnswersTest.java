package io.tokensiege.simulator.http;

import static io.tokensiege.simulator.http.Conversation.CALENDAR_TOOL;
import static io.tokensiege.simulator.http.Conversation.SEARCH_TOOL;
import static io.tokensiege.simulator.http.SimHarness.events;
import static io.tokensiege.simulator.http.SimHarness.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.simulator.profile.Profiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Tool-call answers of a native server, and the ignore and reject modes, over real HTTP. */
@Timeout(60)
class ToolCallAnswersTest {
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

    private static SimulatorServer nativeServer(Map<String, Object> overrides) throws Exception {
        Map<String, Object> all = new java.util.HashMap<>(Map.of("tools.support", "native"));
        all.putAll(overrides);
        return sims.start(Profiles.load("dense-26b", all), 500);
    }

    private static Conversation agent(String question) {
        return new Conversation(MODEL).system("You are the team's Slack agent.").user(question).tools(SEARCH_TOOL, CALENDAR_TOOL);
    }

    private static List<JsonNode> stream(SimulatorServer s, Conversation c, int maxTokens) throws Exception {
        RawHttp.Response r = Conversation.post(s, "/v1/chat/completions", c.body(maxTokens, true).toString());
        assertThat(r.status()).isEqualTo(200);
        List<String> raw = events(r.body());
        assertThat(raw).last().isEqualTo("[DONE]");
        List<JsonNode> out = new ArrayList<>();
        for (String e : raw.subList(0, raw.size() - 1)) out.add(json(e));
        return out;
    }

    @Test
    void requiredChoice_streamsOpenAisToolCallShape_argumentsJoinIntoValidJson() throws Exception {
        SimulatorServer s = nativeServer(Map.of());
        List<JsonNode> events = stream(s, agent("What is on my calendar?").toolChoice("required"), 200);

        // role chunk, the call's first delta, 24 argument fragments, finish, usage
        assertThat(events).hasSize(1 + 1 + 24 + 1 + 1);
        JsonNode first = events.get(1).at("/choices/0/delta/tool_calls");
        assertThat(first).hasSize(1);
        JsonNode call = first.get(0);
        assertThat(call.get("index").asInt()).isZero();
        assertThat(call.get("id").asText()).matches("call_[A-Za-z0-9]{24}");
        assertThat(call.get("type").asText()).isEqualTo("function");
        assertThat(call.at("/function/name").asText()).isIn("search", "calendar");
        assertThat(call.at("/function/arguments").asText()).isEmpty();
        assertThat(events.get(1).at("/choices/0/delta").has("content")).isFalse();
        StringBuilder arguments = new StringBuilder();
        for (JsonNode e : events.subList(2, 26)) {
            JsonNode fragment = e.at("/choices/0/delta/tool_calls/0");
            assertThat(fragment.get("index").asInt()).isZero();
            assertThat(fragment.has("id")).isFalse();
            assertThat(fragment.at("/function/arguments").asText()).isNotEmpty();
            arguments.append(fragment.at("/function/arguments").asText());
        }
        JsonNode parsed = json(arguments.toString());
        assertThat(parsed.isObject()).isTrue();
        if (call.at("/function/name").asText().equals("search")) {
            assertThat(parsed.get("query").isTextual()).isTrue();
            assertThat(parsed.get("limit").isInt()).isTrue();
        } else {
            assertThat(parsed.get("day").isTextual()).isTrue();
        }
        assertThat(arguments.length()).as("about 24 tokens at 4 chars a token").isBetween(96, 96 + 15);
        assertThat(events.get(26).at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(events.get(27).at("/usage/completion_tokens").asInt()).isEqualTo(25);

        GroundTruth truth = s.groundTruth().all().get(0);
        assertThat(truth.toolCallId()).isEqualTo(call.get("id").asText());
        assertThat(truth.toolCallName()).isEqualTo(call.at("/function/name").asText());
        assertThat(truth.tokens()).isEqualTo(25);
    }

    @Test
    void namedChoice_callsThatFunction_andNonStreamedAnswerCarriesMessageToolCalls() throws Exception {
        SimulatorServer s = nativeServer(Map.of());
        JsonNode r = agent("Book the review.").toolChoice("calendar").send(s, 200);
        JsonNode message = r.at("/choices/0/message");
        assertThat(message.get("content").isNull()).isTrue();
        JsonNode call = message.at("/tool_calls/0");
        assertThat(call.get("id").asText()).startsWith("call_");
        assertThat(call.get("type").asText()).isEqualTo("function");
        assertThat(call.at("/function/name").asText()).isEqualTo("calendar");
        assertThat(json(call.at("/function/arguments").asText()).get("day").isTextual()).isTrue();
        assertThat(r.at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(r.at("/usage/completion_tokens").asInt()).isEqualTo(25);
    }

    @Test
    void theSameRequestTwice_getsTheSameAnswer_whileOtherRequestsGetBothKinds() throws Exception {
        SimulatorServer s = nativeServer(Map.of("tools.call_share", 0.5));
        java.util.Set<String> finishReasons = new java.util.HashSet<>();
        for (int q = 0; q < 10; q++) {
            Conversation c = agent("Question number " + q + ": what changed?");
            JsonNode a = c.send(s, 30);
            JsonNode b = c.send(s, 30);
            assertThat(b.at("/choices/0/message")).as("same decision, tool, id and arguments").isEqualTo(a.at("/choices/0/message"));
            assertThat(b.at("/choices/0/finish_reason")).isEqualTo(a.at("/choices/0/finish_reason"));
            finishReasons.add(a.at("/choices/0/finish_reason").asText());
        }
        assertThat(finishReasons).containsExactlyInAnyOrder("tool_calls", "length");
    }

    @Test
    void callShare_isRespectedOverManyRequests_withinABinomialBound() throws Exception {
        SimulatorServer s = nativeServer(Map.of("tools.call_share", 0.3, "tools.argument_tokens", 2));
        int n = 300;
        int calls = 0;
        for (int q = 0; q < n; q++) {
            JsonNode r = agent("Request " + q + " about the roadmap").send(s, 3);
            if (r.at("/choices/0/finish_reason").asText().equals("tool_calls")) calls++;
        }
        double sd = Math.sqrt(n * 0.3 * 0.7); // 7.9
        assertThat((double) calls).isBetween(n * 0.3 - 4 * sd, n * 0.3 + 4 * sd);
        long truthCalls = s.groundTruth().all().stream().filter(t -> t.toolCallName() != null).count();
        assertThat(truthCalls).as("ground truth tells each decision").isEqualTo(calls);
    }

    @Test
    void malformedShare_sendsArgumentsThatAreATruncatedObject() throws Exception {
        SimulatorServer s = nativeServer(Map.of("tools.malformed_share", 1.0));
        List<JsonNode> events = stream(s, agent("Search the notes.").toolChoice("search"), 200);
        StringBuilder arguments = new StringBuilder();
        for (JsonNode e : events) {
            JsonNode fragment = e.at("/choices/0/delta/tool_calls/0/function/arguments");
            if (fragment.isTextual()) arguments.append(fragment.asText());
        }
        assertThat(arguments.toString()).startsWith("{\"query\":\"").endsWith(",\"limit\":");
        assertThatThrownBy(() -> json(arguments.toString())).isInstanceOf(java.io.IOException.class);
        assertThat(events.get(events.size() - 2).at("/choices/0/finish_reason").asText()).isEqualTo("tool_calls");
        assertThat(s.groundTruth().all().get(0).toolCallMalformed()).isTrue();
    }

    @Test
    void afterAToolResult_theAnswerIsContent_evenWithRequired() throws Exception {
        SimulatorServer s = nativeServer(Map.of());
        Conversation c = agent("Find the budget notes.").toolChoice("required");
        JsonNode call = c.send(s, 200);
        String id = call.at("/choices/0/message/tool_calls/0/id").asText();
        c.answer(call).toolResult(id, "Budget notes: Q3 spend is on plan.");
        List<JsonNode> events = stream(s, c, 5);
        assertThat(events).hasSize(1 + 5 + 1 + 1);
        for (JsonNode e : events.subList(1, 6)) {
            assertThat(e.at("/choices/0/delta/content").asText()).isNotBlank();
            assertThat(e.at("/choices/0/delta").has("tool_calls")).isFalse();
        }
        assertThat(events.get(6).at("/choices/0/finish_reason").asText()).isEqualTo("length");
    }

    @Test
    void toolChoiceNone_answersInContent() throws Exception {
        SimulatorServer s = nativeServer(Map.of("tools.call_share", 1.0));
        JsonNode r = agent("Just say hi.").toolChoice("none").send(s, 4);
        assertThat(r.at("/choices/0/message/content").asText()).isNotBlank();
        assertThat(r.at("/choices/0/message").has("tool_calls")).isFalse();
    }

    @Test
    void maxTokensBelowTheCall_cutsItsArguments_withFinishReasonLength() throws Exception {
        SimulatorServer s = nativeServer(Map.of());
        List<JsonNode> events = stream(s, agent("Search.").toolChoice("search"), 5);
        assertThat(events).hasSize(1 + 5 + 1 + 1);
        assertThat(events.get(6).at("/choices/0/finish_reason").asText()).isEqualTo("length");
        assertThat(events.get(7).at("/usage/completion_tokens").asInt()).isEqualTo(5);
    }

    @Test
    void reasoningComesFirst_thenTheCall() throws Exception {
        SimulatorServer s = sims.start(Profiles.load("reasoning-vllm"), 500);
        Conversation c = new Conversation("qwen3-think-sim").user("Search the notes.").tools(SEARCH_TOOL).toolChoice("required");
        List<JsonNode> events = stream(s, c, 200);
        assertThat(events).hasSize(1 + 60 + 25 + 1 + 1);
        assertThat(events.get(60).at("/choices/0/delta/reasoning_content").asText()).isNotBlank();
        assertThat(events.get(61).at("/choices/0/delta/tool_calls/0/function/name").asText()).isEqualTo("search");
        JsonNode usage = events.get(events.size() - 1).get("usage");
        assertThat(usage.get("completion_tokens").asInt()).isEqualTo(85);
        assertThat(usage.at("/completion_tokens_details/reasoning_tokens").asInt()).isEqualTo(60);
    }

    @Test
    void ignore_acceptsToolsButNeitherCountsNorCallsThem() throws Exception {
        SimulatorServer s = sims.start(Profiles.load("dense-26b", Map.of("tools.call_share", 1.0)), 500);
        assertThat(s.profile().tools().support().label()).isEqualTo("ignore");
        JsonNode withTools = agent("Hello.").toolChoice("required").send(s, 3);
        JsonNode without = new Conversation(MODEL).system("You are the team's Slack agent.").user("Hello.").send(s, 3);
        assertThat(withTools.at("/choices/0/message/content").asText()).isNotBlank();
        assertThat(withTools.at("/choices/0/finish_reason").asText()).isEqualTo("length");
        assertThat(withTools.at("/usage/prompt_tokens").asInt()).isEqualTo(without.at("/usage/prompt_tokens").asInt());
    }

    @Test
    void reject_answers400InEachPersonalitysShape() throws Exception {
        SimulatorServer openai = sims.start(Profiles.load("dense-26b", Map.of("tools.support", "reject")), 500);
        RawHttp.Response r = Conversation.post(openai, "/v1/chat/completions", agent("Hi.").body(3, true).toString());
        assertThat(r.status()).isEqualTo(400);
        assertThat(json(r.body()).at("/error/message").asText()).contains("does not support tools");
        assertThat(json(r.body()).at("/error/param").asText()).isEqualTo("tools");
        RawHttp.Response plain = Conversation.post(openai, "/v1/chat/completions",
                new Conversation(MODEL).user("Hi.").body(3, false).toString());
        assertThat(plain.status()).as("a request without tools is served").isEqualTo(200);

        SimulatorServer ollama = sims.start(Profiles.load("ollama-like", Map.of("tools.support", "reject")), 500);
        RawHttp.Response o = Conversation.post(ollama, "/v1/chat/completions",
                new Conversation("gemma4:26b").user("Hi.").tools(SEARCH_TOOL).body(3, false).toString());
        assertThat(o.status()).isEqualTo(400);
        assertThat(json(o.body()).at("/error/message").asText()).isEqualTo("registry.ollama.ai/library/gemma4:26b does not support tools");

        SimulatorServer llama = sims.start(Profiles.load("llama-cpp", Map.of("tools.support", "reject", "server.idle_close_ms", 0)), 500);
        Conversation c = new Conversation("any").user("Hi.").tools(SEARCH_TOOL);
        for (String path : List.of("/v1/chat/completions", "/apply-template")) {
            RawHttp.Response l = Conversation.post(llama, path, path.equals("/apply-template") ? c.templateBody().toString() : c.body(3, true).toString());
            assertThat(l.status()).as(path).isEqualTo(400);
            assertThat(l.header("Connection")).isEqualTo("close");
            assertThat(json(l.body()).at("/error/message").asText()).isEqualTo("tools param requires --jinja flag");
            assertThat(json(l.body()).at("/error/code").asInt()).isEqualTo(400);
        }
    }
}
