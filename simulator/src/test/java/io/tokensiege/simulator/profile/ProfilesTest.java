package io.tokensiege.simulator.profile;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.plan.SimulatorOverrideCheck;
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
        assertThat(Profiles.overrideProblem("dense-26b", field, typed)).startsWith(message);
    }

    @Test
    void aRightOverride_passes_andPlansFindTheCheck() {
        assertThat(Profiles.overrideProblem("dense-26b", "engine.slots", 8)).isNull();
        assertThat(Profiles.overrideProblem("moe-35b-a3b", "server.personality", "vllm")).isNull();
        assertThat(SimulatorOverrideCheck.provided()).get().isInstanceOf(ProfileOverrideCheck.class);
    }
}
