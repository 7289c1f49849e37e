package io.tokensiege.simulator.http;

import static io.tokensiege.simulator.http.Conversation.SEARCH_TOOL;
import static io.tokensiege.simulator.http.SimHarness.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.simulator.profile.Profiles;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Agent conversations (assistant tool calls, tool results, tools offered) are parsed, validated, rendered and counted. */
@Timeout(60)
class AgentConversationTest {
    private static SimHarness sims;

    @BeforeAll
    static void start() {
        sims = new SimHarness();
    }

    @AfterAll
    static void stop() throws Exception {
        sims.close();
    }

    private static int promptTokens(SimulatorServer s, Conversation c) throws Exception {
        return c.send(s, 2).at("/usage/prompt_tokens").asInt();
    }

    private static int tokensAt4(String text) {
        return (int) Math.ceil(text.length() / 4.0);
    }

    @Test
    void openAiFraming_countsToolsToolCallsAndToolResults_eachAsOneMoreMessage() throws Exception {
        SimulatorServer s = sims.start(Profiles.load("omlx-tuned"), 200);
        Conversation c = new Conversation("gemma-4-26b-4bit").system("You are a helpful agent.").user("Find the notes.");
        int plain = promptTokens(s, c);
        assertThat(plain).isEqualTo(3 + 4 + tokensAt4("You are a helpful agent.") + 4 + tokensAt4("Find the notes."));

        int withTools = promptTokens(s, c.tools(SEARCH_TOOL));
        assertThat(withTools - plain).as("the tools count as one message holding their JSON array").isEqualTo(4 + tokensAt4("[" + SEARCH_TOOL + "]"));

        int withCall = promptTokens(s, c.assistantCall("call_1", "search", "{\"query\":\"notes\"}"));
        String callJson = "[{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"search\",\"arguments\":\"{\\\"query\\\":\\\"notes\\\"}\"}}]";
        assertThat(withCall - withTools).as("an assistant tool call counts its JSON").isEqualTo(4 + tokensAt4(callJson));

        String result = "Three notes: the budget, the release plan and the team offsite.";
        int withResult = promptTokens(s, c.toolResult("call_1", result));
        assertThat(withResult - withCall).as("a tool result counts its content").isEqualTo(4 + tokensAt4(result));
    }

    @Test
    void llamaCpp_rendersToolsAsQwenDoes_andApplyTemplateThenTokenizeCountsWhatTheChatCounts() throws Exception {
        SimulatorServer s = sims.start(Profiles.load("llama-cpp", Map.of("server.idle_close_ms", 0)), 200);
        Conversation c = new Conversation("any").system("Be brief.").user("Find the notes.").tools(SEARCH_TOOL)
                .assistantCall("call_1", "search", "{\"query\":\"notes\"}").toolResult("call_1", "3 notes");

        String prompt = json(Conversation.post(s, "/apply-template", c.templateBody().toString()).body()).get("prompt").asText();
        assertThat(prompt).isEqualTo("<|im_start|>system\nBe brief.\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
                + "You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n" + SEARCH_TOOL + "\n</tools>\n\n"
                + "For each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n"
                + "<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n"
                + "<|im_start|>user\nFind the notes.<|im_end|>\n"
                + "<|im_start|>assistant\n<tool_call>\n{\"name\": \"search\", \"arguments\": {\"query\":\"notes\"}}\n</tool_call><|im_end|>\n"
                + "<|im_start|>user\n<tool_response>\n3 notes\n</tool_response><|im_end|>\n"
                + "<|im_start|>assistant\n");
        int tokenized = json(Conversation.post(s, "/tokenize", SimHarness.JSON.createObjectNode().put("content", prompt).toString()).body())
                .get("tokens").size();
        assertThat(tokenized).isEqualTo(promptTokens(s, c)).isEqualTo((int) Math.ceil(prompt.length() / 5.1));
    }

    @Test
    void llamaCpp_consecutiveToolResults_shareOneUserTurn() throws Exception {
        SimulatorServer s = sims.start(Profiles.load("llama-cpp", Map.of("server.idle_close_ms", 0)), 200);
        Conversation c = new Conversation("any").user("Both, please.").tools(SEARCH_TOOL, Conversation.CALENDAR_TOOL);
        var body = c.templateBody();
        var m = body.withArray("messages").addObject().put("role", "assistant").putNull("content");
        m.putArray("tool_calls").addObject().put("id", "a").put("type", "function").putObject("function").put("name", "search").put("arguments", "{}");
        m.withArray("tool_calls").addObject().put("id", "b").put("type", "function").putObject("function").put("name", "calendar").put("arguments", "{}");
        body.withArray("messages").addObject().put("role", "tool").put("tool_call_id", "a").put("content", "found");
        body.withArray("messages").addObject().put("role", "tool").put("tool_call_id", "b").put("content", "free");
        String prompt = json(Conversation.post(s, "/apply-template", body.toString()).body()).get("prompt").asText();
        assertThat(prompt).endsWith("<|im_start|>assistant\n<tool_call>\n{\"name\": \"search\", \"arguments\": {}}\n</tool_call>\n"
                + "<tool_call>\n{\"name\": \"calendar\", \"arguments\": {}}\n</tool_call><|im_end|>\n"
                + "<|im_start|>user\n<tool_response>\nfound\n</tool_response>\n<tool_response>\nfree\n</tool_response><|im_end|>\n"
                + "<|im_start|>assistant\n");
    }

    @Test
    void vllm_tokenizeWithMessagesAndTools_countsWhatTheChatCounts() throws Exception {
        SimulatorServer s = sims.start(Profiles.load("vllm", Map.of("server.idle_close_ms", 0)), 200);
        Conversation c = new Conversation("llama-3.1-8b-instruct").system("You answer agents.").user("What is on today?")
                .tools(SEARCH_TOOL, Conversation.CALENDAR_TOOL).assistantCall("call_9", "calendar", "{\"day\":\"today\"}")
                .toolResult("call_9", "Stand-up at 9, review at 14.").user("And tomorrow?");
        JsonNode tokenized = json(Conversation.post(s, "/tokenize", c.templateBody().toString()).body());
        Conversation withoutTools = new Conversation("llama-3.1-8b-instruct").system("You answer agents.").user("What is on today?");
        int plainCount = json(Conversation.post(s, "/tokenize", withoutTools.templateBody().toString()).body()).get("count").asInt();
        assertThat(tokenized.get("count").asInt()).isEqualTo(promptTokens(s, c)).isGreaterThan(plainCount + tokensAt4(SEARCH_TOOL));
    }

    @Test
    void malformedToolsAndMessages_get400NamingTheField() throws Exception {
        SimulatorServer s = sims.start(Profiles.load("dense-26b"), 200);
        String user = "{\"role\":\"user\",\"content\":\"hi\"}";
        String call = "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"search\",\"arguments\":\"{}\"}}]}";
        Map<String, String[]> cases = new java.util.LinkedHashMap<>();
        cases.put("\"messages\":[" + user + "],\"tools\":{\"a\":1}", new String[] {"tools", "must be an array"});
        cases.put("\"messages\":[" + user + "],\"tools\":[]", new String[] {"tools", "must not be empty"});
        cases.put("\"messages\":[" + user + "],\"tools\":[{\"type\":\"retrieval\"}]", new String[] {"tools[0].type", "'function'"});
        cases.put("\"messages\":[" + user + "],\"tools\":[{\"type\":\"function\",\"function\":{\"description\":\"x\"}}]",
                new String[] {"tools[0].function.name", "letters, digits"});
        cases.put("\"messages\":[" + user + "],\"tools\":[" + SEARCH_TOOL + "," + SEARCH_TOOL + "]", new String[] {"tools[1].function.name", "twice"});
        cases.put("\"messages\":[" + user + "],\"tools\":[" + SEARCH_TOOL + "],\"tool_choice\":\"sometimes\"", new String[] {"tool_choice", "\"sometimes\""});
        cases.put("\"messages\":[" + user + "],\"tools\":[" + SEARCH_TOOL + "],\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"nope\"}}",
                new String[] {"tool_choice", "not among 'tools'"});
        cases.put("\"messages\":[" + user + "],\"tool_choice\":\"required\"", new String[] {"tool_choice", "needs 'tools'"});
        cases.put("\"messages\":[" + user + "," + call + ",{\"role\":\"tool\",\"content\":\"x\"}]", new String[] {"messages[2].tool_call_id", "required"});
        cases.put("\"messages\":[" + user + "," + call + ",{\"role\":\"tool\",\"tool_call_id\":\"c2\",\"content\":\"x\"}]",
                new String[] {"messages[2].tool_call_id", "'c2' matches none"});
        cases.put("\"messages\":[{\"role\":\"user\",\"content\":\"hi\",\"tool_calls\":[]}]", new String[] {"messages[0].tool_calls", "only allowed on assistant"});
        cases.put("\"messages\":[" + user + "," + call.replace("\"arguments\":\"{}\"", "\"arguments\":{}") + "]",
                new String[] {"messages[1].tool_calls[0].function.arguments", "must be a string"});
        cases.put("\"messages\":[{\"role\":\"robot\",\"content\":\"hi\"}]", new String[] {"messages[0].role", "is not one of"});
        for (var e : cases.entrySet()) {
            RawHttp.Response r = Conversation.post(s, "/v1/chat/completions", "{\"model\":\"gemma-4-26b-4bit\",\"max_tokens\":2," + e.getKey() + "}");
            assertThat(r.status()).as(e.getKey()).isEqualTo(400);
            JsonNode error = json(r.body()).get("error");
            assertThat(error.get("param").asText()).as(e.getKey()).isEqualTo(e.getValue()[0]);
            assertThat(error.get("message").asText()).as(e.getKey()).contains(e.getValue()[0]).contains(e.getValue()[1]);
            assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        }
    }

    @Test
    void malformedTools_getTheLlamaCppShapedError() throws Exception {
        SimulatorServer s = sims.start(Profiles.load("llama-cpp", Map.of("server.idle_close_ms", 0)), 200);
        RawHttp.Response r = Conversation.post(s, "/v1/chat/completions",
                "{\"model\":\"any\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":\"search\"}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.header("Connection")).isEqualTo("close");
        JsonNode error = json(r.body()).get("error");
        assertThat(error.get("code").asInt()).isEqualTo(400);
        assertThat(error.get("message").asText()).contains("'tools' must be an array");
    }
}
