package io.tokensiege.simulator.http;

import static io.tokensiege.simulator.http.Conversation.SEARCH_TOOL;
import static io.tokensiege.simulator.http.SimHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.simulator.profile.Profiles;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The prefix cache across agent sessions: conversations reuse their own history, distinct prefixes compete LRU-wise. */
@Timeout(60)
class PrefixCacheSessionsTest {
    private static SimHarness sims;

    @BeforeAll
    static void start() {
        sims = new SimHarness();
    }

    @AfterAll
    static void stop() throws Exception {
        sims.close();
    }

    /** A system prompt of about {@code chars} characters that differs from other sessions' from its first character. */
    static String prefix(String session, int chars) {
        StringBuilder sb = new StringBuilder(session).append(": you are the Slack agent of this team.");
        while (sb.length() < chars) sb.append(" Keep replies short, use tools when facts are needed, never guess.");
        return sb.substring(0, chars);
    }

    @Test
    void growingConversation_reusesItsPreviousPromptAndAnswer_andCachedTokensAgreeEverywhere() throws Exception {
        SimulatorServer s = sims.start(Profiles.load("llama-cpp", Map.of("server.idle_close_ms", 0)), 500);
        int blockChars = (int) Math.floor(16 * 5.1); // prefix_block_tokens 16 at 5.1 chars a token
        Conversation c = new Conversation("any").system(prefix("alpha", 6000)).user("Find the budget notes.").tools(SEARCH_TOOL).toolChoice("required");

        String previousPrompt = applyTemplate(s, c);
        JsonNode turn = c.send(s, 100);
        JsonNode call = turn.at("/choices/0/message/tool_calls/0");
        assertThat(call.isObject()).as("turn 1 calls the tool").isTrue();
        String previousAnswer = "<tool_call>\n{\"name\": \"search\", \"arguments\": " + call.at("/function/arguments").asText() + "}\n</tool_call>";
        c.answer(turn).toolResult(call.get("id").asText(), "Budget notes: Q3 spend is on plan, travel is 12% over.");

        for (int k = 2; k <= 4; k++) {
            String prompt = applyTemplate(s, c);
            assertThat(prompt).as("the history is a continuation of the previous prompt and answer").startsWith(previousPrompt + previousAnswer);
            turn = c.send(s, 12);
            int expected = (previousPrompt.length() + previousAnswer.length()) / blockChars * 16;
            int promptTokens = turn.at("/usage/prompt_tokens").asInt();
            assertThat(turn.at("/usage/prompt_tokens_details/cached_tokens").asInt()).as("turn " + k).isEqualTo(expected);
            assertThat(turn.at("/timings/cache_n").asInt()).isEqualTo(expected);
            assertThat(turn.at("/timings/prompt_n").asInt()).isEqualTo(promptTokens - expected);
            List<GroundTruth> truths = s.groundTruth().all();
            assertThat(truths.get(truths.size() - 1).cachedTokens()).isEqualTo(expected);
            assertThat(expected).as("more than the previous prompt: its answer was cached too")
                    .isGreaterThan((int) Math.ceil(previousPrompt.length() / 5.1) - 16);
            previousPrompt = prompt;
            previousAnswer = turn.at("/choices/0/message/content").asText();
            c.assistant(previousAnswer).user("And what about turn " + k + "?");
        }
    }

    @Test
    void streamedUsage_reportsTheSameCachedTokensAsGroundTruth() throws Exception {
        SimulatorServer s = sims.start(Profiles.load("llama-cpp", Map.of("server.idle_close_ms", 0)), 500);
        Conversation c = new Conversation("any").system(prefix("beta", 4000)).user("Hello.");
        c.answer(c.send(s, 10)).user("Next.");
        RawHttp.Response r = Conversation.post(s, "/v1/chat/completions", c.body(5, true).toString());
        List<String> events = SimHarness.events(r.body());
        JsonNode usageChunk = json(events.get(events.size() - 2));
        int cached = usageChunk.at("/usage/prompt_tokens_details/cached_tokens").asInt();
        assertThat(cached).isGreaterThan(700);
        assertThat(usageChunk.at("/timings/cache_n").asInt()).isEqualTo(cached);
        long id = Long.parseLong(r.header("x-sim-request-id"));
        assertThat(s.groundTruth().byId(id).cachedTokens()).isEqualTo(cached);
        try (RawHttp conn = new RawHttp(s.port())) {
            JsonNode served = json(conn.get("/sim/requests?after=" + (id - 1)).body()).at("/requests/0");
            assertThat(served.get("cached_tokens").asInt()).isEqualTo(cached);
        }
    }

    @Test
    void distinctPrefixes_evictEachOtherWhenTheyDoNotFitTogether_andStayWhenTheyDo() throws Exception {
        // 2,000-token prefixes (8,000 chars at 4 a token) in 64-token blocks.
        for (int capacity : new int[] {3000, 6000}) {
            SimulatorServer s = sims.start(Profiles.load("dense-26b", Map.of("engine.prefix_cache_tokens", capacity)), 500);
            Conversation a = new Conversation("gemma-4-26b-4bit").system(prefix("session A", 8000)).user("Status?");
            Conversation b = new Conversation("gemma-4-26b-4bit").system(prefix("session B", 8000)).user("Status?");
            for (int turn = 1; turn <= 3; turn++) {
                for (Conversation c : List.of(a, b)) {
                    JsonNode r = c.send(s, 8);
                    int cached = r.at("/usage/prompt_tokens_details/cached_tokens").asInt();
                    if (turn == 1) assertThat(cached).isZero();
                    else if (capacity == 3000) assertThat(cached).as("the other session evicted this one's prefix").isZero();
                    else assertThat(cached).as("both fit: each keeps its prefix (whole 64-token blocks) and history").isGreaterThan(2000 - 64);
                    c.answer(r).user("Turn " + (turn + 1) + "?");
                }
            }
        }
    }

    private static String applyTemplate(SimulatorServer s, Conversation c) throws Exception {
        return json(Conversation.post(s, "/apply-template", c.templateBody().toString()).body()).get("prompt").asText();
    }
}
