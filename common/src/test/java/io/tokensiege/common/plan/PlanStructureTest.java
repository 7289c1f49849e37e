package io.tokensiege.common.plan;

import static io.tokensiege.common.plan.PlanErrors.at;
import static io.tokensiege.common.plan.PlanErrors.single;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** What YAML allows but a plan refuses, and the bounds on a plan's shape, each at its line and column. */
class PlanStructureTest {
    static final String PLAN = """
            name: p
            targets:
              - name: t
                url: "http://h:1/v1"
                model: m
            scenarios:
              - name: s
                prompt: { tokens: 8 }
                requests: 1
            """;

    @Test
    void plan_parses() throws PlanException {
        assertThat(PlanReader.parse(PLAN, "plan.yaml").targets()).extracting(Target::model).containsExactly("m");
    }

    @Test
    void duplicateKey_isRefused_namingBothLines() {
        PlanError e = at(single(PLAN.replace("    model: m\n", "    model: m\n    model: n\n")), 6, 5, "targets[0].model");
        assertThat(e.message()).contains("duplicate key 'model'").contains("line 5").contains("line 6");
    }

    @Test
    void duplicateTopLevelKey_isRefused() {
        PlanError e = at(single(PLAN + "name: q\n"), 10, 1, "name");
        assertThat(e.message()).contains("line 1").contains("line 10");
    }

    @Test
    void secondDocument_isRefused_atItsMarker() {
        assertThat(at(single(PLAN + "---\nname: q\n"), 10, 1, "").message()).contains("second").contains("---");
        assertThat(at(single(PLAN + "---\n"), 10, 1, "").message()).contains("second");
    }

    @Test
    void documentMarkers_aroundOneDocument_areFine() throws PlanException {
        assertThat(PlanReader.parse("---\n" + PLAN + "...\n", "plan.yaml").name()).isEqualTo("p");
    }

    @Test
    void alias_isRefused_ratherThanReadAsTheAnchorName() {
        PlanError e = at(single(PLAN.replace("name: p\n", "description: &d p\nname: *d\n")), 2, 7, "name");
        assertThat(e.message()).contains("aliases (*d)");
    }

    @Test
    void customTag_isRefused_ratherThanDropped() {
        assertThat(at(single(PLAN.replace("model: m", "model: !custom m")), 5, 12, "targets[0].model").message()).contains("tag '!custom'");
    }

    @Test
    void rawControlCharacter_isRefused_whereItStands() {
        assertThat(at(single(PLAN.replace("model: m", "model: m\u0007")), 5, 13, "").message()).contains("U+0007");
    }

    @Test
    void deepNesting_isRefused_atTheFirstValueTooDeep() {
        // extra_body's '{' (depth 3) is at column 17; each "{a: " adds a level 4 columns on, so depth 33 is at 17 + 30 * 4.
        String deep = "    extra_body: " + "{a: ".repeat(40) + "1" + "}".repeat(40) + "\n";
        PlanError e = single(PLAN.replace("    model: m\n", "    model: m\n" + deep));
        assertThat(e.line()).isEqualTo(6);
        assertThat(e.column()).isEqualTo(137);
        assertThat(e.path()).isEqualTo("targets[0].extra_body" + ".a".repeat(30));
        assertThat(e.message()).contains("deeper than 32 levels");
    }

    @Test
    void hugeList_isRefused_onceItPassesTheBound() {
        String items = IntStream.range(0, TreeLimits.MAX_NODES).mapToObj(i -> "0").collect(Collectors.joining(","));
        PlanError e = single(PLAN.replace("    model: m\n", "    model: m\n    extra_body: { big: [" + items + "] }\n"));
        assertThat(e.line()).isEqualTo(6);
        assertThat(e.path()).matches("targets\\[0]\\.extra_body\\.big\\[\\d+]");
        int index = Integer.parseInt(e.path().replaceAll(".*\\[(\\d+)]$", "$1"));
        assertThat(index).isBetween(TreeLimits.MAX_NODES - 30, TreeLimits.MAX_NODES - 1); // the plan's own ~20 values came first
        assertThat(e.column()).isEqualTo(25 + 2 * index); // items "0," from column 25
        assertThat(e.message()).contains("more than " + TreeLimits.MAX_NODES + " values");
    }

    @Test
    void sweepWithTooManyLevels_isRefused() {
        String levels = IntStream.rangeClosed(1, PlanReader.MAX_LEVELS + 1).mapToObj(String::valueOf).collect(Collectors.joining(", "));
        PlanError e = at(single(PLAN.replace("requests: 1", "load: { concurrency: [" + levels + "], duration: 1s }")), 9, 26, "scenarios[0].load.concurrency");
        assertThat(e.message()).contains("at most 100 levels");
    }

    @Test
    void planExpandingToTooManySteps_isRefused() {
        String levels = IntStream.rangeClosed(1, 100).mapToObj(String::valueOf).collect(Collectors.joining(", "));
        String twoTargets = PLAN.replace("targets:\n", "targets:\n  - { name: u, url: \"http://h:2/v1\", model: m }\n");
        PlanError e = at(single(twoTargets.replace("requests: 1", "load: { concurrency: [" + levels + "], duration: 1s }\n    repeat: 100")), 1, 1, "");
        assertThat(e.message()).contains("20000 steps").contains("at most 10000");
    }

    @Test
    void longName_isRefused_beforeItBecomesAFileName() {
        PlanError e = at(single(PLAN.replace("name: t", "name: " + "t".repeat(65))), 3, 11, "targets[0].name");
        assertThat(e.message()).isEqualTo("a name has at most 64 characters, not 65");
    }

    @Test
    void longValues_areShortenedInMessages() {
        PlanError e = single(PLAN.replace("requests: 1", "requests: " + "x".repeat(5000)));
        assertThat(e.message()).contains("(5000 characters)").hasSizeLessThan(200);
    }
}
