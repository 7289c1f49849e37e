package io.tokensiege.simulator.profile;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.plan.SimulatorOverrideCheck;
import java.util.LinkedHashMap;
import java.util.Map;
import io.tokensiege.common.plan.SimulatorProfiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The profile names plans are checked against (kept in common) and the profiles the simulator ships must agree. */
class ProfilesTest {
    @Test
    void everyNamePlansAccept_hasItsProfileResource() {
        assertThat(Profiles.BUILT_IN).isSameAs(SimulatorProfiles.BUILT_IN);
        assertThat(SimulatorProfiles.BUILT_IN)
                .allSatisfy(name -> assertThat(Profiles.class.getResource("/profiles/" + name + ".yaml")).as("resource of profile " + name).isNotNull());
    }

    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @CsvSource(delimiter = '|', textBlock = """
            engine.slotz      | 8        | 'engine.slotz' is not a profile field; did you mean 'engine.slots'? (fields of engine: cache_restore_tokens_per_second,
            nothing           | 1        | 'nothing' is not a profile field (fields of a profile: description, engine, faults, model, name, seed, server, tools)
            engine.slots      | x        | 'engine.slots' must be a whole number, not 'x'
            engine.slots      | 2.5      | 'engine.slots' must be a whole number, not '2.5'
            engine.slots      | 0        | engine: slots must be at least 1
            engine            | 3        | 'engine' must be a group of fields (set one inside it with a dotted name)
            model.x           | 1        | 'model' is a single value, not a group of fields, so 'model.x' names nothing
            engine.slots.deep | 1        | 'engine.slots' is a single value, not a group of fields, so 'engine.slots.deep' names nothing
            server.personality| llamacpp | server.personality 'llamacpp' is not one of: openai, llama.cpp, vllm, ollama
            """)
    void aWrongOverride_isNamedInThePlansWords(String field, String value, String message) {
        Object typed = value.matches("-?\\d+") ? (Object) Integer.valueOf(value) : value.matches("-?\\d+\\.\\d+") ? (Object) Double.valueOf(value) : value;
        assertThat(Profiles.overrideProblems("dense-26b", Map.of(field, typed))).containsOnlyKeys(field).extractingByKey(field).asString().startsWith(message);
    }

    @Test
    void aRightOverride_passes_andPlansFindTheCheck() {
        assertThat(Profiles.overrideProblems("dense-26b", Map.of("engine.slots", 8))).isEmpty();
        assertThat(Profiles.overrideProblems("moe-35b-a3b", Map.of("server.personality", "vllm"))).isEmpty();
        assertThat(SimulatorOverrideCheck.provided()).get().isInstanceOf(ProfileOverrideCheck.class);
    }

    @Test
    void overridesValidOnlyTogether_pass_andOnesThatClashOnlyTogether_areNamedTogether() {
        // Alone, each contradicts the other field the profile keeps (Ollama streams reasoning in 'reasoning').
        Map<String, Object> vllm = Map.of("server.personality", "vllm", "engine.reasoning_field", "reasoning_content");
        assertThat(Profiles.overrideProblems("reasoning-ollama", Map.of("server.personality", "vllm"))).containsOnlyKeys("server.personality");
        assertThat(Profiles.overrideProblems("reasoning-ollama", vllm)).isEmpty();
        Map<String, Object> clash = new LinkedHashMap<>();
        clash.put("server.personality", "vllm");
        clash.put("engine.slotz", 2);
        assertThat(Profiles.overrideProblems("reasoning-ollama", clash)).as("a misspelt field is named; the personality is judged with the rest")
                .containsOnlyKeys("engine.slotz", "server.personality");
        Map<String, Object> together = Map.of("server.personality", "ollama", "engine.reasoning_field", "reasoning_content", "engine.reasoning_tokens", 10);
        assertThat(Profiles.overrideProblems("dense-26b", together)).containsOnlyKeys(SimulatorOverrideCheck.TOGETHER)
                .extractingByKey(SimulatorOverrideCheck.TOGETHER).asString().contains("contradicts server.personality 'ollama'");
    }

    @Test
    void aNullOverride_isJudgedLikeAnyValue_notACrash() {
        Map<String, Object> nulled = new LinkedHashMap<>();
        nulled.put("engine.slots", null);
        assertThat(Profiles.overrideProblems("dense-26b", nulled)).containsOnlyKeys("engine.slots");
    }
}
