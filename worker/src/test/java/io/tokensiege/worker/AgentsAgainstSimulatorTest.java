package io.tokensiege.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.chat.ToolCatalog;
import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.plan.Scenario;
import io.tokensiege.common.plan.Timeouts;
import io.tokensiege.common.prompt.PromptFactory;
import io.tokensiege.common.protocol.StepFinished;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.simulator.http.GroundTruth;
import io.tokensiege.simulator.profile.Profiles;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One agent conversation against the simulated Ollama-like server, checked request by request against what the
 * simulator knows: the prompt it counted, the prefix tokens it served from its cache, and the tool call each follow-up
 * answered. Nothing here depends on timing.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AgentsAgainstSimulatorTest {
    private static final int TURNS = 5;
    private static final int RESULT_TOKENS = 150;
    /** The simulator's cache works in blocks of 64 tokens: a match ends on a block boundary. */
    private static final int BLOCK = 64;
    /**
     * Chat-template tokens a message adds besides its text (role markers; an assistant's call rendered as JSON with its
     * name and id). Bounds the growth of a prompt from one request to the next.
     */
    private static final int TEMPLATE_SLACK = 48;

    @Test
    void eachRequestCarriesTheConversation_theServersCachedCountsAreRecordedExactly_andEveryToolCallIsAnswered() throws Exception {
        try (SimulatorHarness h = new SimulatorHarness(Profiles.load("ollama-like"), 20)) {
            Scenario.Tools tools = new Scenario.Tools(ToolCatalog.builtin(), "auto", List.of(2, 4), RESULT_TOKENS);
            StepSpec step = new StepSpec("agents", 0, StepKind.SESSIONS, h.target(Map.of()), "agents", 1, 1, TURNS, 0, 0, 0, 32, 0.0, 0, true,
                    10_000, List.of("role", "tools", "memory", "history"), Timeouts.DEFAULT, 7, "nonce", null, null, null,
                    new StepSpec.Conversation(true, tools, "constant", false), null);
            StepFinished f = h.run(step, 1, 90);

            List<RequestRecord> rs = f.records().stream().sorted(Comparator.comparingInt(rec -> rec.origin().seq())).toList();
            assertThat(rs).allSatisfy(r -> assertThat(r.ok()).as(r.outcome().errorDetail()).isTrue());
            assertThat(rs.stream().filter(r -> !r.agent().followUp())).hasSize(TURNS);
            assertThat(rs.stream().filter(r -> r.agent().followUp())).as("turns 2 and 4 required a call").hasSizeGreaterThanOrEqualTo(2);

            RequestRecord first = rs.get(0);
            assertThat(truth(h, first).cachedTokens()).as("turn 1 is cold: only the rendered tools lead every prompt").isLessThan(1_000);
            for (int i = 0; i < rs.size(); i++) {
                RequestRecord r = rs.get(i);
                GroundTruth t = truth(h, r);
                System.out.printf("request %d: turn %d%s, prompt %d, cached %d, answer %d%n", i, r.agent().userTurn(), r.agent().followUp() ? " follow-up" : "",
                        r.tokens().promptTokens(), r.tokens().cachedTokens(), r.tokens().outputTokens());
                assertThat(r.tokens().promptTokens()).as("request %d: prompt tokens as the server counted them", i).isEqualTo(t.promptTokens);
                assertThat(r.tokens().cachedTokens()).as("request %d: cached tokens as the server counted them", i).isEqualTo(t.cachedTokens());
                if (i == 0) continue;
                RequestRecord prev = rs.get(i - 1);
                GroundTruth before = truth(h, prev);
                // The whole conversation so far leads this prompt, so the server found all of it but the last block.
                assertThat(t.cachedTokens()).as("request %d reuses the previous prompt", i).isGreaterThanOrEqualTo(prev.tokens().promptTokens() - BLOCK);
                // The prompt grew by the previous answer plus the new message: a question, or the tool's result.
                int added = r.agent().followUp() ? RESULT_TOKENS : PromptFactory.QUESTION_TOKENS;
                int growth = r.tokens().promptTokens() - prev.tokens().promptTokens();
                assertThat(growth).as("request %d: growth %d = answer %d + new message %d + template", i, growth, prev.tokens().outputTokens(), added)
                        .isBetween(prev.tokens().outputTokens() + added - 8, prev.tokens().outputTokens() + added + TEMPLATE_SLACK);
                if (r.agent().followUp()) {
                    assertThat(before.toolCallId()).as("the answer before a follow-up was a call").isNotNull();
                    assertThat(prev.agent().toolCalls()).isEqualTo(1);
                    assertThat(t.answeredToolCallId()).as("the follow-up's tool message answers that call").isEqualTo(before.toolCallId());
                    assertThat(r.agent().userTurn()).isEqualTo(prev.agent().userTurn());
                } else {
                    assertThat(r.agent().userTurn()).isEqualTo(prev.agent().userTurn() + 1);
                }
            }
            for (RequestRecord r : rs) {
                if (!r.agent().followUp() && List.of(2, 4).contains(r.agent().userTurn())) assertThat(r.agent().toolCalls()).isEqualTo(1);
            }
        }
    }

    private static GroundTruth truth(SimulatorHarness h, RequestRecord r) {
        return h.sim.groundTruth().byId(Long.parseLong(r.answer().serverId().substring("chatcmpl-sim-".length())));
    }
}
