package io.tokensiege.common.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Agent sessions, tools and mixed workloads in a plan: read when right, refused with their place when wrong. */
class AgentPlanTest {
    static final String HEAD = """
            name: p
            targets:
              - { name: t, url: "http://h:1/v1", model: m }
            scenarios:
            """;

    @Test
    void agentSessionsWithTools_areRead() throws PlanException {
        Plan p = PlanReader.parse(HEAD + """
                  - name: agents
                    prefix: { tokens: 10000, per_session: true }
                    turns: 5
                    tools: builtin
                    tool_turns: [2, 4]
                    tool_result_tokens: 150
                    load: { sessions: [1, 2, 4, 8], duration: 120s, think_time: 2s, think: exponential, start: together }
                """, "plan.yaml");
        Scenario s = p.scenarios().get(0);
        assertThat(s.prefix().perSession()).isTrue();
        assertThat(s.load().isSessions()).isTrue();
        assertThat(s.load().levels()).containsExactly(1.0, 2.0, 4.0, 8.0);
        assertThat(s.load().think()).isEqualTo("exponential");
        assertThat(s.load().staggered()).isFalse();
        assertThat(s.tools().schemas()).hasSize(10);
        assertThat(s.tools().choice()).isEqualTo("auto");
        assertThat(s.tools().requiredTurns()).containsExactly(2, 4);
        assertThat(s.tools().resultTokens()).isEqualTo(150);
    }

    @Test
    void sessionsWithoutAPrefix_toolsWithoutSessions_andABadToolTurn_areRefusedWithTheirPlace() {
        PlanException e = assertThrows(PlanException.class, () -> PlanReader.parse(HEAD + """
                  - name: a
                    prompt: { tokens: 64 }
                    load: { sessions: [1, 2], duration: 10s }
                  - name: b
                    prefix: { tokens: 100 }
                    tools: builtin
                  - name: c
                    prefix: { tokens: 100 }
                    turns: 3
                    tools: builtin
                    tool_turns: [4]
                    tool_choice: { type: function, function: { name: no_such_tool } }
                    load: { sessions: [1], duration: 10s }
                """, "plan.yaml"));
        assertThat(e.getMessage()).contains("plan.yaml:7:").contains("sessions are agents: give the scenario a prefix")
                .contains("plan.yaml:10:").contains("tools are for agent sessions")
                .contains("plan.yaml:15:18 (scenarios[2].tool_turns[0]): a tool turn is a turn number from 1 to 3, not the value 4")
                .contains("tool_choice names 'no_such_tool', which is not one of the tools");
    }

    @Test
    void aMix_isReadWithItsPartsAndProbe() throws PlanException {
        Plan p = PlanReader.parse(HEAD + """
                  - name: mixed
                    mix:
                      - { name: agent_turns, weight: 80, prefix: { tokens: 10000 } }
                      - { name: long_cold, weight: 15, prompt: { tokens: 8000 } }
                      - { name: long_decode, weight: 5, prompt: { tokens: 64 }, max_tokens: 800 }
                    probe: { tokens: 32, every: 2s }
                    load: { concurrency: [4, 8], duration: 60s }
                """, "plan.yaml");
        Scenario.Mix mix = p.scenarios().get(0).mix();
        assertThat(mix.parts()).extracting(Scenario.Mix.Part::name).containsExactly("agent_turns", "long_cold", "long_decode");
        assertThat(mix.totalWeight()).isEqualTo(100);
        assertThat(mix.parts().get(2).maxTokens()).isEqualTo(800);
        assertThat(mix.parts().get(0).maxTokens()).isEqualTo(200);
        assertThat(mix.probe().everyMillis()).isEqualTo(2_000);
    }

    @Test
    void aMixWithoutConcurrency_orWithPromptToo_isRefused() {
        PlanException e = assertThrows(PlanException.class, () -> PlanReader.parse(HEAD + """
                  - name: mixed
                    prompt: { tokens: 8 }
                    mix: [ { name: a, weight: 1, prompt: { tokens: 8 } }, { name: a, weight: 1 } ]
                """, "plan.yaml"));
        assertThat(e.getMessage()).contains("needs exactly one of 'prompt', 'prefix', 'mix' or 'trace'").contains("two parts named 'a'")
                .contains("a part needs exactly one of prompt or prefix").contains("a mix runs at concurrency levels");
    }
}
