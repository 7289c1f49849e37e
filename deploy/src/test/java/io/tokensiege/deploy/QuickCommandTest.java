package io.tokensiege.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tokensiege.common.plan.Plan;
import io.tokensiege.common.plan.PlanError;
import io.tokensiege.common.plan.PlanException;
import io.tokensiege.common.plan.PlanReader;
import io.tokensiege.common.plan.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The plan quick builds from its options, checked without starting a run: values survive exactly, and errors name the option. */
@org.junit.jupiter.api.Timeout(value = 60, unit = java.util.concurrent.TimeUnit.SECONDS)
class QuickCommandTest {
    /** quick with these options, plus a good --url and --model where they are not given. */
    private static QuickCommand parse(String... extra) {
        List<String> args = new ArrayList<>(List.of(extra));
        if (!args.contains("--url")) args.addAll(List.of("--url", "http://127.0.0.1:11434/v1"));
        if (!args.contains("--model")) args.addAll(List.of("--model", "m"));
        QuickCommand quick = new QuickCommand();
        new CommandLine(quick).parseArgs(args.toArray(String[]::new));
        return quick;
    }

    private static Plan plan(String... args) throws PlanException {
        return parse(args).plan();
    }

    private static List<String> errors(String... args) {
        PlanException e = catchThrowableOfType(PlanException.class, () -> parse(args).plan());
        assertThat(e).as("quick should refuse %s", List.of(args)).isNotNull();
        return e.errors().stream().map(PlanError::toString).toList();
    }

    @Test
    void defaults_makeTheUsualSweep() throws PlanException {
        Plan p = plan();
        assertThat(p.targets()).singleElement().satisfies(t -> {
            assertThat(t.url()).isEqualTo("http://127.0.0.1:11434/v1");
            assertThat(t.model()).isEqualTo("m");
        });
        assertThat(p.scenarios().get(0).load().concurrency()).containsExactly(1, 4, 8, 16);
        assertThat(p.scenarios().get(0).load().durationMillis()).isEqualTo(30_000);
        assertThat(p.slo().ttftP50Millis()).isEqualTo(1_000);
        assertThat(p.defaults().maxTokens()).isEqualTo(200);
    }

    @Test
    void modelWithBackslashesAndQuotes_survivesExactly_alsoInTheSavedPlan() throws PlanException {
        String model = "C:\\m \"q\" 'x' #1: {a}";
        Plan p = plan("--model", model);
        assertThat(p.targets().get(0).model()).isEqualTo(model);
        assertThat(PlanReader.parse(p.source(), "plan.yaml").targets().get(0).model()).isEqualTo(model);
    }

    @Test
    void extraBody_isMergedLikeAPlanTargetsExtraBody() throws PlanException {
        Target quick = plan("--extra-body", "{\"ignore_eos\": true, \"chat_template_kwargs\": {\"enable_thinking\": false}, \"top_k\": 20}").targets().get(0);
        Target planned = PlanReader.parse("""
                name: p
                targets:
                  - { name: t, url: "http://h:1/v1", model: m, extra_body: { ignore_eos: true, chat_template_kwargs: { enable_thinking: false }, top_k: 20 } }
                scenarios:
                  - { name: s, prompt: { tokens: 8 }, requests: 1 }
                """, "plan.yaml").targets().get(0);
        assertThat(quick.extraBody()).isEqualTo(planned.extraBody())
                .containsEntry("ignore_eos", true).containsEntry("chat_template_kwargs", Map.of("enable_thinking", false));
    }

    @Test
    void badExtraBody_isRefused_namingTheOptionAndTheJsonPosition() {
        assertThat(errors("--extra-body", "{\"ignore_eos\": tru}")).singleElement().asString()
                .startsWith("--extra-body: not valid JSON at line 1, column 16: Unrecognized token 'tru'");
        assertThat(errors("--extra-body", "{\"a\": 1, \"a\": 2}")).singleElement().asString()
                .startsWith("--extra-body: not valid JSON at line 1, column 13: Duplicate field 'a'");
        assertThat(errors("--extra-body", "[1]")).singleElement().asString().startsWith("--extra-body: must be a JSON object ({...}), not array");
        assertThat(errors("--extra-body", "{\"stream\": false}")).singleElement().asString()
                .startsWith("--extra-body: extra_body cannot set 'stream'");
    }

    @Test
    void headers_areCheckedLikePlanHeaders() throws PlanException {
        assertThat(plan("--header", "X-Org: acme", "--header", "X-Trace:  on ").targets().get(0).headers())
                .containsExactly(Map.entry("X-Org", "acme"), Map.entry("X-Trace", "on"));
        assertThat(errors("--header", "Authorization: Bearer sk-1")).singleElement().asString()
                .startsWith("--header: secrets are never written in plans (header 'Authorization')");
        assertThat(errors("--header", "X-A: a\r\nInjected: 1")).singleElement().asString()
                .startsWith("--header: header 'X-A' has a carriage return (CR) at character 2");
        assertThat(errors("--header", "Bad Name: x")).singleElement().asString().startsWith("--header: header name 'Bad Name' is not a valid HTTP header name");
        assertThat(errors("--header", "X-A")).singleElement().asString().startsWith("--header: expected 'Name: value', not 'X-A'");
        assertThat(errors("--header", "Bearer sk-Zq81x0AbCd")).singleElement().asString()
                .startsWith("--header: expected 'Name: value', not what looks like a credential (not shown)").doesNotContain("Zq81");
        assertThat(errors("--header", "X-Gw: Bearer sk-Zq81x0AbCd")).singleElement().asString()
                .startsWith("--header: header 'X-Gw' holds what looks like a credential (not shown)").doesNotContain("Zq81");
        assertThat(errors("--header", "X-A: 1", "--header", "X-A: 2")).singleElement().asString().startsWith("--header: header 'X-A' is given twice");
        assertThat(errors("--header", "X-A: 1", "--header", "x-a: 2")).singleElement().asString().startsWith("--header: header 'x-a' is given twice");
    }

    @Test
    void badValues_areReportedAsTheOptionTheUserTyped_allAtOnce() {
        assertThat(errors("--url", "http://127.0.0.1:18005@127.0.0.2:18006/v1", "--duration", "0", "--concurrency", "4,2", "--max-tokens", "0",
                "--prompt-tokens", "-1", "--slo-ttft", "99999999999999999999h", "--slo-decode", "NaN", "--api-key-env", "TOKENSIEGE_TOKEN"))
                .extracting(e -> e.substring(0, e.indexOf(':')))
                .containsExactlyInAnyOrder("--url", "--duration", "--concurrency", "--max-tokens", "--prompt-tokens", "--slo-ttft", "--slo-decode",
                        "--api-key-env");
        assertThat(errors("--url", "http://h:1/v 1")).singleElement().asString()
                .startsWith("--url: url is not a valid URL: Illegal character in path (a space at character 13)");
        assertThat(errors("--duration", "-5s")).singleElement().asString().startsWith("--duration: 'duration' must not be negative");
    }

    @Test
    void timeouts_canBeShortened_andABadOneIsNamedByItsOption() throws PlanException {
        var t = plan("--timeout-first-token", "20s", "--timeout-total", "2m").defaults().timeouts();
        assertThat(t.firstTokenMillis()).isEqualTo(20_000);
        assertThat(t.totalMillis()).isEqualTo(120_000);
        assertThat(plan().defaults().timeouts().firstTokenMillis()).isEqualTo(180_000);
        assertThat(errors("--timeout-first-token", "soon")).singleElement().asString().startsWith("--timeout-first-token: ");
    }

    @Test
    void keyHeader_carriesTheKeyOfApiKeyEnv_andAloneIsAnErrorOfItsOption() throws PlanException {
        assertThat(plan("--api-key-env", "GW_KEY", "--api-key-header", "api-key").targets().get(0).apiKeyHeader()).isEqualTo("api-key");
        assertThat(errors("--api-key-header", "api-key")).singleElement().asString()
                .startsWith("--api-key-header: api_key_header names the header that carries the key, but this target names no api_key_env");
    }

    @Test
    void keyVariable_outsideThePattern_needsAllowKeyEnv() throws PlanException {
        assertThat(errors("--api-key-env", "HOME_SECRET")).singleElement().asString().contains("--allow-key-env HOME_SECRET");
        assertThat(plan("--api-key-env", "HOME_SECRET", "--allow-key-env", "HOME_SECRET").targets().get(0).apiKeyEnv()).isEqualTo("HOME_SECRET");
        assertThatThrownBy(() -> parse("--allow-key-env", "TOKENSIEGE_TOKEN")).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--allow-key-env").hasMessageContaining("can never be allowed");
    }

    @Test
    void invalidOptions_exitWith2_beforeAnythingRuns() {
        int code = new CommandLine(new Tokensiege()).execute("quick", "--url", "http://h:1/v 1", "--model", "m");
        assertThat(code).isEqualTo(2);
    }
}
