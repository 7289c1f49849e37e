package io.tokensiege.simulator.http;

import static io.tokensiege.simulator.http.PrefixCacheSessionsTest.prefix;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.simulator.profile.Profiles;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The demo's agent scenario on the built-in profiles: agents with distinct 10K-token prefixes take turns, each
 * turn carrying its whole history. ollama-like's cache holds one agent, omlx-tuned's a few.
 */
@Timeout(120)
class AgentSessionsProfileTest {
    private static final int PREFIX_CHARS = 40_000; // 10,000 tokens at 4 chars a token
    /** A warm turn finds the whole prefix, less at most the 64-token block it ends in. */
    private static final int WARM_FLOOR = 10_000 - 64;
    private static SimHarness sims;

    @BeforeAll
    static void start() {
        sims = new SimHarness();
    }

    @AfterAll
    static void stop() throws Exception {
        sims.close();
    }

    /** Cached tokens of every turn, per session, with the sessions taking turns in order. */
    private static int[][] cachedPerTurn(SimulatorServer s, String model, int sessions, int turns) throws Exception {
        List<Conversation> agents = new ArrayList<>();
        for (int a = 0; a < sessions; a++) agents.add(new Conversation(model).system(prefix("agent " + a, PREFIX_CHARS)).user("What is new?"));
        int[][] cached = new int[sessions][turns];
        for (int t = 0; t < turns; t++) {
            for (int a = 0; a < sessions; a++) {
                JsonNode r = agents.get(a).send(s, 20);
                cached[a][t] = r.at("/usage/prompt_tokens_details/cached_tokens").asInt();
                agents.get(a).answer(r).user("Turn " + (t + 2) + ": and then?");
            }
        }
        return cached;
    }

    @Test
    void ollamaLike_oneAgentStaysWarm_twoAgentsEvictEachOther() throws Exception {
        SimulatorServer s = sims.start(Profiles.load("ollama-like"), 1000);
        int[][] alone = cachedPerTurn(s, "gemma4:26b", 1, 3);
        assertThat(alone[0][0]).isZero();
        for (int t = 1; t < 3; t++) assertThat(alone[0][t]).as("turn " + (t + 1) + " alone").isGreaterThan(WARM_FLOOR);

        SimulatorServer fresh = sims.start(Profiles.load("ollama-like"), 1000);
        int[][] two = cachedPerTurn(fresh, "gemma4:26b", 2, 3);
        for (int[] session : two) assertThat(session).as("every turn of both agents is cold").containsOnly(0);
    }

    @Test
    void omlxTuned_fourAgentsStayWarm_eightEvictEachOther() throws Exception {
        int[][] four = cachedPerTurn(sims.start(Profiles.load("omlx-tuned"), 1000), "gemma-4-26b-4bit", 4, 2);
        for (int[] session : four) assertThat(session[1]).as("turn 2 of 4 agents").isGreaterThan(WARM_FLOOR);

        int[][] eight = cachedPerTurn(sims.start(Profiles.load("omlx-tuned"), 1000), "gemma-4-26b-4bit", 8, 2);
        for (int[] session : eight) assertThat(session[1]).as("turn 2 of 8 agents").isZero();
    }
}
