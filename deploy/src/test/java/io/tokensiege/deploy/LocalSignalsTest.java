package io.tokensiege.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.common.json.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Ctrl-C and SIGTERM on {@code run --local}: the run is aborted, the step in progress is kept as a partial step over the window
 * it covered (its aggregate over that window, not the planned one), run.json says aborted, everything is written, exit 4.
 */
class LocalSignalsTest {
    /** Two streams for a planned 600 s of simulated time (60 s of wall time at speed 10); the test cuts it after a few seconds. */
    private static final String PLAN = "name: cut\ntargets:\n  - { name: sim, simulated: { profile: moe-35b-a3b, speed: 10 } }\n"
            + "defaults: { warmup: 1, max_tokens: 100, ramp: 0s }\n"
            + "scenarios:\n  - { name: long, prompt: { tokens: 32, unique: true }, load: { concurrency: [2], duration: 600s } }\n"
            + "slo: { ttft_p50: 1s }\n";

    @TempDir
    Path dir;

    @ParameterizedTest(name = "SIG{0}")
    @CsvSource({"INT, Ctrl-C (SIGINT)", "TERM, SIGTERM"})
    @Timeout(180)
    void aSignal_abortsTheRun_keepsTheCutStepOverItsWindow_andExits4(String signal, String named) throws Exception {
        Path plan = dir.resolve("cut.yaml");
        Files.writeString(plan, PLAN);
        Path runs = dir.resolve("runs");
        try (ChildJvm run = ChildJvm.start(dir, "run", "run", plan.toString(), "--local", "--data", runs.toString())) {
            awaitIntervals(runs, 4); // the measured step has run for four seconds
            run.signal(signal);
            assertThat(run.awaitExit(90)).isEqualTo(4);
            assertThat(run.err()).contains("tokensiege: " + named + ": aborting the run and writing what was recorded");
            assertThat(run.out()).contains("Run aborted; what was recorded is in: ").contains("ABORTED (terminal): run aborted by " + named);

            Path runDir = onlyRun(runs);
            JsonNode json = Json.MAPPER.readTree(runDir.resolve("run.json").toFile());
            assertThat(json.get("status").asText()).isEqualTo("aborted");
            assertThat(json.get("failures").toString()).contains("ABORTED");
            assertThat(Files.readString(runDir.resolve("failures.jsonl"))).contains("ABORTED");
            JsonNode cut = json.get("steps").get(0);
            assertThat(cut.get("partial").asBoolean()).isTrue();
            assertThat(cut.get("partial_reason").asText()).startsWith("aborted by " + named + " at +").contains("of the window it covered, of 600.0 s planned");
            double window = cut.get("window_seconds").asDouble();
            assertThat(window).as("covered window, simulated s").isBetween(30.0, 300.0);
            // Two streams, each decoding about decode p50 tok/s: over the window it covered the aggregate is about twice that
            // (less the first-token waits); over the planned 600 s it would be a fraction.
            double decode = cut.at("/decode_tok_s/p50").asDouble();
            double aggregate = cut.get("aggregate_tok_s").asDouble();
            assertThat(aggregate).as("aggregate against 2 x decode p50 %.1f", decode).isBetween(0.6 * 2 * decode, 1.15 * 2 * decode);
            for (String f : new String[] {"plan.yaml", "results.csv", "summary.md", "report.html", "requests.jsonl.gz"}) {
                assertThat(runDir.resolve(f)).isNotEmptyFile();
            }
            assertThat(Files.readString(runDir.resolve("summary.md"))).contains("## Partial steps").doesNotContain("NaN");
        }
    }

    /** Waits, bounded, until the measured step's interval log holds {@code n} intervals (the orchestrator writes one a second). */
    private static void awaitIntervals(Path runs, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (Files.isDirectory(runs)) {
                try (Stream<Path> files = Files.walk(runs)) {
                    for (Path hlog : files.filter(p -> p.toString().endsWith("c2.hlog")).toList()) {
                        long intervals = Files.readAllLines(hlog).stream().filter(l -> !l.startsWith("#") && !l.startsWith("\"")).count();
                        if (intervals >= n * 9L) return; // nine or more metrics per interval
                    }
                }
            }
            TimeUnit.MILLISECONDS.sleep(200); // polling a file another process writes
        }
        throw new AssertionError("the measured step never logged " + n + " intervals");
    }

    static Path onlyRun(Path runs) throws Exception {
        try (Stream<Path> s = Files.list(runs)) {
            return s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
    }
}
