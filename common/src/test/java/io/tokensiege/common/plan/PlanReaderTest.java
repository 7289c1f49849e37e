package io.tokensiege.common.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import org.junit.jupiter.api.Test;

class PlanReaderTest {
    private static final String GOOD = """
            name: m1max
            targets:
              - { name: ollama-gemma, url: "http://m1max.lan:11434/v1", model: "gemma4:26b" }
              - { name: omlx-qwen, url: "http://m1max.lan:8000/v1/chat/completions", model: qwen, api_key_env: OMLX_KEY }
            defaults: { temperature: 0, warmup: 2, max_tokens: 200, timeouts: { first_token: 2m } }
            scenarios:
              - { name: cold_short, prompt: { tokens: 64, unique: true }, requests: 5 }
              - { name: long_prefix, prefix: { tokens: 10000, parts: [role, tools, memory, history] }, turns: 5 }
              - { name: concurrency, prompt: { tokens: 64 }, load: { concurrency: [1, 4, 8, 16], duration: 60s } }
            slo: { ttft_p50: 1s, decode_p50_tok_s: 20, error_rate: 0.01 }
            """;

    private static List<PlanError> errors(String yaml) {
        return catchThrowableOfType(PlanException.class, () -> PlanReader.parse(yaml, "plan.yaml")).errors();
    }

    @Test
    void designDocExample_parses() throws PlanException {
        Plan p = PlanReader.parse(GOOD, "plan.yaml");
        assertThat(p.targets()).extracting(Target::name).containsExactly("ollama-gemma", "omlx-qwen");
        assertThat(p.targets().get(1).url()).isEqualTo("http://m1max.lan:8000/v1");
        assertThat(p.targets().get(1).apiKeyEnv()).isEqualTo("OMLX_KEY");
        assertThat(p.defaults().timeouts().firstTokenMillis()).isEqualTo(120_000);
        assertThat(p.scenarios().get(2).load().concurrency()).containsExactly(1, 4, 8, 16);
        assertThat(p.scenarios().get(2).load().durationMillis()).isEqualTo(60_000);
        assertThat(p.scenarios().get(1).turns()).isEqualTo(5);
        assertThat(p.slo().ttftP50Millis()).isEqualTo(1000);
    }

    @Test
    void builtInPlans_parse() throws PlanException {
        for (String name : PlanReader.BUILT_IN) assertThat(PlanReader.load(name).scenarios()).isNotEmpty();
        assertThat(PlanReader.load("agent-serving").scenarios()).extracting(Scenario::name)
                .containsExactly("cold_short", "warm_prefix", "long_prefix", "long_decode", "concurrency", "agents");
        Scenario agents = PlanReader.load("agent-serving").scenarios().get(5);
        assertThat(agents.load().sessions()).containsExactly(1, 2, 4, 8);
        assertThat(agents.prefix().perSession()).isTrue();
        assertThat(agents.prefix().tokens()).isEqualTo(10_000);
        assertThat(agents.turns()).isEqualTo(5);
        assertThat(agents.tools().requiredTurns()).containsExactly(2, 4);
    }

    @Test
    void unknownKey_namesLineColumnPathAndNearestKey() {
        List<PlanError> e = errors(GOOD.replace("requests: 5", "requets: 5"));
        assertThat(e).hasSize(1);
        assertThat(e.get(0).line()).isEqualTo(7);
        assertThat(e.get(0).path()).isEqualTo("scenarios[0].requets");
        assertThat(e.get(0).hint()).isEqualTo("did you mean 'requests'?");
        assertThat(e.get(0).toString()).startsWith("plan.yaml:7:");
    }

    @Test
    void wrongTypes_andRanges_areReportedWithTheirLines() {
        List<PlanError> e = errors(GOOD.replace("max_tokens: 200", "max_tokens: lots").replace("error_rate: 0.01", "error_rate: 3"));
        assertThat(e).extracting(PlanError::path).containsExactlyInAnyOrder("defaults.max_tokens", "slo.error_rate");
        assertThat(e).filteredOn(x -> x.path().equals("defaults.max_tokens")).first()
                .satisfies(x -> assertThat(x.message()).contains("whole number").contains("lots"));
        assertThat(e).filteredOn(x -> x.path().equals("slo.error_rate")).first().satisfies(x -> assertThat(x.line()).isEqualTo(10));
    }

    @Test
    void badDuration_concurrencyOrder_missingFields_areAllReportedAtOnce() {
        String yaml = """
                name: bad
                targets:
                  - { name: a, model: m }
                scenarios:
                  - { name: s, prompt: { tokens: 10 }, load: { concurrency: [4, 2], duration: soon } }
                """;
        List<PlanError> e = errors(yaml);
        assertThat(e).extracting(PlanError::message).anyMatch(m -> m.contains("exactly one of 'url'"))
                .anyMatch(m -> m.contains("must increase")).anyMatch(m -> m.contains("duration such as"));
        assertThat(e).allMatch(x -> x.line() > 0 && x.column() > 0);
    }

    @Test
    void secretsInPlans_areRefused() {
        List<PlanError> e = errors(GOOD.replace("model: \"gemma4:26b\" }", "model: \"gemma4:26b\", headers: { Authorization: \"Bearer sk-abc\" } }"));
        assertThat(e).singleElement().satisfies(x -> {
            assertThat(x.message()).contains("secrets are never written in plans");
            assertThat(x.hint()).contains("api_key_env");
        });
    }

    @Test
    void aFileNamedLikeABuiltInPlan_isNeitherSilentlyIgnoredNorTaken_builtinColonNamesTheBuiltIn(@org.junit.jupiter.api.io.TempDir java.nio.file.Path here)
            throws Exception {
        assertThat(PlanReader.load("builtin:smoke").name()).isEqualTo(PlanReader.load("smoke").name());
        java.nio.file.Files.writeString(here.resolve("smoke"), "not: a plan\n");
        assertThatThrownBy(() -> PlanReader.load("smoke", PlanOptions.DEFAULT, here)).isInstanceOf(PlanException.class)
                .hasMessageContaining("'smoke' is both a built-in plan and a file here").hasMessageContaining("./smoke").hasMessageContaining("builtin:smoke");
        assertThat(PlanReader.load("builtin:smoke", PlanOptions.DEFAULT, here).name()).isEqualTo(PlanReader.load("smoke").name());
        assertThatThrownBy(() -> PlanReader.load("./smoke", PlanOptions.DEFAULT, here)).isInstanceOf(PlanException.class)
                .hasMessageContaining("./smoke:1:1"); // read as the file it is
        assertThatThrownBy(() -> PlanReader.load("builtin:smok")).isInstanceOf(PlanException.class)
                .hasMessageContaining("no built-in plan 'smok'").hasMessageContaining("did you mean 'smoke'?");
    }

    @Test
    void aNumberWithALeadingZero_isRefusedWithItsReason_notReadAsOctal() {
        String plan = "name: x\ntargets: [{ name: t, url: \"http://h:1/v1\", model: m }]\ndefaults: { max_tokens: 0100 }\n"
                + "scenarios: [{ name: s, prompt: { tokens: 8 }, load: { concurrency: [1, 010], duration: 5s } }]\n";
        List<PlanError> e = errors(plan);
        assertThat(e).hasSize(2).allSatisfy(x -> assertThat(x.hint()).contains("drop the leading zero"));
        assertThat(e.get(0).message()).isEqualTo("'max_tokens' must be a whole number, not the text '0100'");
    }

    @Test
    void anEmptyList_isCalledEmpty_notMerelyAList() {
        assertThat(errors("name: x\ntargets: []\nscenarios: [{ name: s, prompt: { tokens: 8 }, requests: 1 }]\n"))
                .anySatisfy(x -> assertThat(x.message()).isEqualTo("'targets' must be a non-empty list, not an empty list"));
    }

    @Test
    void invalidYaml_andMissingFile_sayWhereAndWhat() {
        assertThat(errors("name: [unclosed\n")).singleElement().satisfies(x -> assertThat(x.message()).startsWith("not valid YAML"));
        // A tab on line 3 is reported on line 3, where it stands, in one line of text.
        assertThat(errors("name: x\ntargets:\n\t- { name: a }\n")).singleElement().satisfies(x -> {
            assertThat(x.toString()).startsWith("plan.yaml:3:1: not valid YAML: found character 'tab' that cannot start any token");
            assertThat(x.message()).doesNotContain("\n").doesNotContain("reader");
            assertThat(x.hint()).isEqualTo("indent with spaces");
        });
        assertThatThrownBy(() -> PlanReader.load("/no/such/plan.yaml")).isInstanceOf(PlanException.class)
                .hasMessageContaining("plan file not found").hasMessageContaining("agent-serving");
    }
}
