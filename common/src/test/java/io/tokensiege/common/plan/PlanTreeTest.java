package io.tokensiege.common.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A plan built as data passes the same schema as a file, and its errors name the option that gave the value. */
class PlanTreeTest {
    private static final Map<String, String> OPTIONS = Map.of("targets[0].url", "--url", "targets[0].model", "--model",
            "targets[0].headers", "--header", "scenarios[0].load.concurrency", "--concurrency");

    private static ObjectNode plan(String url, String model) {
        ObjectNode root = JsonNodeFactory.instance.objectNode().put("name", "quick");
        root.putArray("targets").addObject().put("name", "target").put("url", url).put("model", model);
        ObjectNode scenario = root.putArray("scenarios").addObject().put("name", "concurrency");
        scenario.putObject("prompt").put("tokens", 64);
        ObjectNode load = scenario.putObject("load").put("duration", "30s");
        load.putArray("concurrency").add(1).add(4);
        return root;
    }

    @Test
    void textWithQuotesAndBackslashes_survivesExactly_andInTheSavedYaml() throws PlanException {
        String model = "C:\\m \"quoted\" 'single' # not a comment";
        Plan p = PlanReader.read(new PlanTree(plan("http://h:1/v1", model), "quick (command line)", OPTIONS), PlanOptions.DEFAULT);
        assertThat(p.targets().get(0).model()).isEqualTo(model);
        assertThat(PlanReader.parse(p.source(), "plan.yaml").targets().get(0).model()).isEqualTo(model);
    }

    @Test
    void errors_nameTheOptionThatGaveTheValue() {
        ObjectNode root = plan("http://h:1/v 1", "m");
        ((ObjectNode) root.get("targets").get(0)).putObject("headers").put("X-A", "a\r\nb");
        ((ObjectNode) root.get("scenarios").get(0).get("load")).putArray("concurrency").add(4).add(2);
        List<PlanError> errors = catchThrowableOfType(PlanException.class,
                () -> PlanReader.read(new PlanTree(root, "quick (command line)", OPTIONS), PlanOptions.DEFAULT)).errors();
        assertThat(errors).extracting(PlanError::toString).containsExactly(
                "--url: url is not a valid URL: Illegal character in path (a space at character 13)\n    hint: the server's OpenAI base, e.g. http://localhost:8000/v1",
                "--header: header 'X-A' has a carriage return (CR) at character 2; a header value is printable ASCII on one line"
                        + "\n    hint: remove the control characters; one header is one line",
                "--concurrency: concurrency levels must increase\n    hint: e.g. [1, 4, 8, 16]");
    }

    @Test
    void fieldWithoutAnOption_namesTheSourceAndPath() {
        ObjectNode root = plan("http://h:1/v1", "m");
        root.putObject("defaults").put("warmup", -1);
        PlanError e = catchThrowableOfType(PlanException.class,
                () -> PlanReader.read(new PlanTree(root, "quick (command line)", OPTIONS), PlanOptions.DEFAULT)).errors().get(0);
        assertThat(e.option()).isNull();
        assertThat(e.toString()).startsWith("quick (command line) (defaults.warmup): 'warmup' must be between 0 and 100");
    }

    @Test
    void deepTree_isBoundedLikeAFile_andNamesItsOption() {
        ObjectNode root = plan("http://h:1/v1", "m");
        ObjectNode deep = ((ObjectNode) root.get("targets").get(0)).putObject("extra_body");
        for (int i = 0; i < 40; i++) deep = deep.putObject("a");
        PlanError e = catchThrowableOfType(PlanException.class,
                () -> PlanReader.read(new PlanTree(root, "quick", Map.of("targets[0].extra_body", "--extra-body")), PlanOptions.DEFAULT)).errors().get(0);
        assertThat(e.toString()).startsWith("--extra-body: the plan nests deeper than 32 levels");
    }

    @Test
    void optionFor_takesTheLongestCoveringPath() {
        PlanTree tree = new PlanTree(plan("http://h:1/v1", "m"), "quick", Map.of("targets[0]", "--target", "targets[0].url", "--url"));
        assertThat(tree.optionFor("targets[0].url")).isEqualTo("--url");
        assertThat(tree.optionFor("targets[0].model")).isEqualTo("--target");
        assertThat(tree.optionFor("targets[0].urls")).isEqualTo("--target");
        assertThat(tree.optionFor("scenarios[0]")).isNull();
    }
}
