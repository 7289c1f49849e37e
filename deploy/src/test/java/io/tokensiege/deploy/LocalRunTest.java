package io.tokensiege.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.json.Json;
import io.tokensiege.common.plan.PlanReader;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.coordinator.cli.ExitCodes;
import io.tokensiege.coordinator.event.RunListener;
import io.tokensiege.coordinator.run.RunOutcome;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import picocli.CommandLine;

/** A whole local run on the smoke plan: two in-process workers, a simulated target, every output file. */
@org.junit.jupiter.api.Timeout(value = 300, unit = java.util.concurrent.TimeUnit.SECONDS)
class LocalRunTest {
    @TempDir
    Path runs;

    @Test
    void smokePlan_onTwoWorkers_writesEveryResultFile() throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        RunOutcome outcome = LocalRun.execute(PlanReader.load("smoke"), 2, runs, new PrintStream(console, true, StandardCharsets.UTF_8), null);

        assertThat(outcome.failed()).isFalse();
        assertThat(outcome.failures()).isEmpty();
        assertThat(outcome.steps()).extracting(res -> res.identity().scenario()).containsExactly("cold_short", "prefix", "concurrency", "concurrency");
        StepResult c4 = outcome.steps().get(3);
        assertThat(c4.workerShares()).containsEntry("local-1", 2).containsEntry("local-2", 2); // 4 streams over 2 workers
        assertThat(c4.identity().simulated()).isTrue();
        assertThat(c4.outcome().ok()).isPositive();
        assertThat(c4.throughput().aggregateTokS()).isPositive();
        StepResult prefix = outcome.steps().get(1);
        assertThat(prefix.warm().coldTtftMs()).isNotNull();
        assertThat(prefix.warm().warmCachedShare()).isGreaterThan(0.5); // the simulator's prefix cache engaged on turn 2

        Path dir = outcome.directory();
        for (String f : List.of("plan.yaml", "run.json", "results.csv", "summary.md", "requests.jsonl.gz")) assertThat(dir.resolve(f)).exists();
        JsonNode run = Json.MAPPER.readTree(dir.resolve("run.json").toFile());
        assertThat(run.get("status").asText()).isEqualTo("finished");
        assertThat(run.at("/server_settings/sim-moe/source").asText()).contains("SIMULATED");
        // Provenance read from the server itself: the simulator exposes /v1/models and /sim/profile, not llama.cpp's /props.
        assertThat(run.at("/servers/sim-moe/models/data/0/id").asText()).isEqualTo("qwen3.6-35b-a3b-4bit");
        assertThat(run.at("/servers/sim-moe/simulator_profile/simulated").asBoolean()).isTrue();
        assertThat(run.at("/servers/sim-moe/llama_cpp_props").asText()).startsWith("not exposed (HTTP 404)");
        assertThat(run.get("steps")).hasSize(4);
        assertThat(Files.readString(dir.resolve("summary.md"))).contains("SIMULATED").contains("cold_short: TTFT p50");
        assertThat(Files.readAllLines(dir.resolve("results.csv"))).hasSize(5);

        // report.html: well-formed (an XML parser reads it), labelled simulated, a card for the target, three curves against the load
        // (one point per level), and the merged histograms drawn: the TTFT curve's p50 of 4 streams is the step's own p50.
        Document html = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(dir.resolve("report.html").toFile());
        assertThat(html.getDocumentElement().getTextContent()).contains("SIMULATED").contains("cold_short: TTFT p50").contains("sim-moe (sim)")
                .doesNotContain("PARTIAL: run in progress");
        assertThat(xpath(html, "//section[@class='target-card'][@data-target='sim-moe']//p[@class='collapse-line']")).hasSize(1);
        assertThat(xpath(html, "//svg[contains(@class,'sweep-chart')]")).hasSize(3);
        assertThat(xpath(html, "//svg[contains(@class,'sweep-chart')]//circle")).as("3 charts x 2 levels, plus the p95 line").hasSize(8);
        assertThat(xpath(html, "//svg[contains(@class,'histogram-chart')][@data-target='sim-moe']")).hasSize(4);
        List<Element> p50 = xpath(html, "//svg[contains(@class,'histogram-chart')][@data-metric='ttft']//circle[@data-level='4 streams'][@data-p='50.0']");
        assertThat(p50).hasSize(1);
        assertThat(Double.parseDouble(p50.get(0).getAttribute("data-v"))).isCloseTo(c4.dist().ttftMs().p50(), within(1e-6));
        assertThat(dir.resolve("histograms").resolve(c4.identity().stepId() + ".json")).isRegularFile();
        assertThat(html.getElementsByTagName("script").getLength()).isZero();

        long lines;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(dir.resolve("requests.jsonl.gz")))) {
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().count();
        }
        assertThat(lines).isGreaterThanOrEqualTo(outcome.steps().stream().mapToInt(res -> res.outcome().requests()).sum());

        List<Path> hlogs;
        try (Stream<Path> s = Files.walk(dir.resolve("hlog"))) {
            hlogs = s.filter(p -> p.toString().endsWith(".hlog")).toList();
        }
        assertThat(hlogs).isNotEmpty();
        long histograms = 0;
        for (Path h : hlogs) {
            HistogramLogReader reader = new HistogramLogReader(h.toFile());
            for (EncodableHistogram e = reader.nextIntervalHistogram(); e != null; e = reader.nextIntervalHistogram()) {
                assertThat(e.getTag()).matches("[a-z0-9_]+/local-\\d");
                histograms++;
            }
        }
        assertThat(histograms).isPositive();
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("Results: ");

        // tokensiege report: the merged distribution rebuilt from the hlog has every measured TTFT of the step.
        ByteArrayOutputStream report = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(report, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = new CommandLine(new Tokensiege()).execute("report", dir.toString(), "--step", c4.identity().stepId(), "--hgrm", runs.resolve("hgrm").toString());
        } finally {
            System.setOut(old);
        }
        assertThat(code).isZero();
        assertThat(report.toString(StandardCharsets.UTF_8)).contains("| " + c4.identity().label() + " ").contains(String.format("| %,d |", c4.dist().ttftMs().count()))
                .contains("wrote 1 .hgrm file to " + runs.resolve("hgrm").toAbsolutePath() + ": ttft, values in ms").doesNotContain("Percentile");
        assertThat(runs.resolve("hgrm").resolve(c4.identity().stepId() + ".ttft.hgrm")).exists();
    }

    private static List<Element> xpath(Document html, String expression) throws Exception {
        NodeList nodes = (NodeList) XPathFactory.newInstance().newXPath().evaluate(expression, html, XPathConstants.NODESET);
        List<Element> out = new java.util.ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) out.add((Element) nodes.item(i));
        return out;
    }

    @Test
    void badPlan_exitsWithCode2_andNamesTheLine() throws Exception {
        Path plan = runs.resolve("bad.yaml");
        Files.writeString(plan, "name: bad\ntargets:\n  - { name: a, url: \"http://127.0.0.1:9/v1\", modle: m }\nscenarios:\n  - { name: s, prompt: { tokens: 8 } }\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = new CommandLine(new Tokensiege()).execute("run", plan.toString(), "--local", "--data", runs.toString());
        } finally {
            System.setErr(old);
        }
        assertThat(code).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("bad.yaml:3:").contains("did you mean 'model'?");
    }

    @Test
    void anUnsetKeyVariable_failsTheRunBeforeAnyQuestionToTheServer() throws Exception {
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        server.accept().close();
                        connections.incrementAndGet();
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            }, "counting-acceptor");
            acceptor.setDaemon(true);
            acceptor.start();
            Path plan = runs.resolve("keyless.yaml");
            Files.writeString(plan, "name: keyless\ntargets:\n  - { name: gw, url: \"http://127.0.0.1:" + server.getLocalPort() + "/v1\", model: m,"
                    + " api_key_env: TS_TEST_SURELY_UNSET_KEY_0 }\nscenarios:\n  - { name: s, prompt: { tokens: 8 }, requests: 2 }\n");
            RunOutcome outcome = LocalRun.execute(PlanReader.load(plan.toString(), io.tokensiege.common.plan.PlanOptions.allowingKeyEnvs(
                    List.of("TS_TEST_SURELY_UNSET_KEY_0"))), 1, runs, new PrintStream(new ByteArrayOutputStream()), null);
            assertThat(outcome.failures()).singleElement().satisfies(f -> {
                assertThat(f.kind().name()).isEqualTo("MISSING_SECRET");
                assertThat(f.message()).contains("names api_key_env TS_TEST_SURELY_UNSET_KEY_0 but that environment variable is not set");
            });
            assertThat(outcome.steps()).isEmpty();
            assertThat(ExitCodes.of(outcome)).as("input the run was given, refused before any load").isEqualTo(ExitCodes.INVALID_INPUT);
            assertThat(connections).as("connections to the server: not even a probe").hasValue(0);
        }
    }

    @Test
    void unreachableTarget_isAFailureInTheReport_notACrash() throws Exception {
        Path plan = runs.resolve("down.yaml");
        Files.writeString(plan, "name: down\ntargets:\n  - { name: nothing, url: \"http://127.0.0.1:1/v1\", model: m }\n"
                + "defaults: { warmup: 0, timeouts: { connect: 1s } }\nscenarios:\n  - { name: s, prompt: { tokens: 8 }, requests: 2 }\n");
        RunOutcome outcome = LocalRun.execute(PlanReader.load(plan.toString()), 1, runs, new PrintStream(new ByteArrayOutputStream()), null);
        assertThat(outcome.failures()).anyMatch(f -> f.kind().name().equals("TARGET_UNREACHABLE"));
        assertThat(outcome.steps().get(0).outcome().errorsByClass()).containsEntry("connect", 2);
        assertThat(Files.readString(outcome.directory().resolve("failures.jsonl"))).contains("TARGET_UNREACHABLE");
    }

    @Test
    void sloThatNoLevelMeets_exitsWithCode3() throws Exception {
        Path plan = runs.resolve("strict.yaml");
        Files.writeString(plan, "name: strict\ntargets:\n  - { name: sim, simulated: { profile: moe-35b-a3b, speed: 50 } }\n"
                + "defaults: { warmup: 0, max_tokens: 16 }\nscenarios:\n  - { name: sweep, prompt: { tokens: 16 }, load: { concurrency: [1, 2], duration: 2s } }\n"
                + "slo: { ttft_p50: 1ms }\n");
        int code = new CommandLine(new Tokensiege()).execute("run", plan.toString(), "--local", "--data", runs.toString());
        assertThat(code).isEqualTo(ExitCodes.SLO_FAILED);
    }

    @Test
    void anInternalError_endsTheRunAsFailed_keepingWhatWasMeasured_andSaysSo() throws Exception {
        // stands for a bug of ours anywhere in the run's thread
        RunOutcome outcome = sweepThrowingAtLevel2("bug", "[1, 2, 4]", new IllegalStateException("a bug at level 2"));

        assertThat(ExitCodes.of(outcome)).isEqualTo(ExitCodes.RUN_FAILED);
        assertThat(outcome.failures()).singleElement().satisfies(f -> {
            assertThat(f.kind().name()).isEqualTo("INTERNAL_ERROR");
            assertThat(f.message()).contains("IllegalStateException: a bug at level 2").contains("after 1 measured step(s)");
        });
        JsonNode run = Json.MAPPER.readTree(outcome.directory().resolve("run.json").toFile());
        assertThat(run.get("status").asText()).isEqualTo("failed");
        assertThat(run.get("steps")).as("the level measured before the error is kept").hasSize(1);
        assertThat(run.at("/steps/0/step_id").asText()).endsWith("-c1");
        assertThat(Files.readString(outcome.directory().resolve("failures.jsonl"))).contains("INTERNAL_ERROR");
    }

    @Test
    void runningOutOfMemory_endsTheRunAsFailed_keepingWhatWasMeasured_andSaysSo() throws Exception {
        // stands for a step whose records outgrew the heap, thrown where the run waits for them
        RunOutcome outcome = sweepThrowingAtLevel2("oom", "[1, 2]", new OutOfMemoryError("Java heap space"));

        assertThat(ExitCodes.of(outcome)).isEqualTo(ExitCodes.RUN_FAILED);
        assertThat(outcome.failures()).singleElement().satisfies(f -> {
            assertThat(f.kind().name()).isEqualTo("WORKER_ERROR");
            assertThat(f.message()).startsWith("the coordinator's JVM ran out of memory (").contains("after 1 measured step(s)").contains("-Xmx");
        });
        JsonNode run = Json.MAPPER.readTree(outcome.directory().resolve("run.json").toFile());
        assertThat(run.get("status").asText()).as("not left 'running'").isEqualTo("failed");
        assertThat(run.get("steps")).hasSize(1);
    }

    /** A local sweep on the simulator whose run thread meets {@code thrown} as level 2 starts. */
    private RunOutcome sweepThrowingAtLevel2(String name, String levels, Throwable thrown) throws Exception {
        Path plan = runs.resolve(name + ".yaml");
        Files.writeString(plan, "name: " + name + "\ntargets:\n  - { name: sim, simulated: { profile: moe-35b-a3b, speed: 50 } }\n"
                + "defaults: { warmup: 0, max_tokens: 16 }\nscenarios:\n  - { name: sweep, prompt: { tokens: 16 }, load: { concurrency: " + levels
                + ", duration: 1s } }\n");
        RunListener throwing = new RunListener() {
            @Override
            public void onStepStarted(StepSpec step, int number, int of) {
                if (!step.stepId().endsWith("-c2")) return;
                if (thrown instanceof Error e) throw e;
                throw (RuntimeException) thrown;
            }
        };
        return LocalRun.execute(PlanReader.load(plan.toString()), 1, runs, new PrintStream(new ByteArrayOutputStream()), throwing);
    }
}
