package io.tokensiege.deploy.llama;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.common.json.Json;
import io.tokensiege.common.plan.PlanReader;
import io.tokensiege.common.plan.Target;
import io.tokensiege.common.plan.Timeouts;
import io.tokensiege.common.protocol.AssignStep;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.protocol.StartStep;
import io.tokensiege.common.protocol.StepFinished;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.common.protocol.WorkerReady;
import io.tokensiege.deploy.Jvms;
import io.tokensiege.deploy.Tokensiege;
import io.tokensiege.worker.WorkerAgent;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * tokensiege against a real llama.cpp server (random-weight Llama models, one thread): the server closes its
 * connections after every stream, counts prompts with its own tokenizer, refuses prompts beyond its context
 * and reports its own timings. Every number tokensiege prints must agree with what the server says it did.
 * Skipped, with one line saying why, where the server is not available.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class RealLlamaServerTest {
    private static Path llamaDir;

    @TempDir
    Path runs;

    @BeforeAll
    static void findTheServer() {
        List<String> lookedAt = new ArrayList<>();
        Optional<Path> dir = LlamaServer.find(lookedAt);
        if (dir.isEmpty()) {
            String why = "no llama-server with models/small-llama.gguf in " + lookedAt.get(0) + " or a shared/llama folder beside the repository; set "
                    + LlamaServer.DIR_VARIABLE;
            System.out.println("real llama.cpp tests SKIPPED: " + why);
            Assumptions.abort(why);
        }
        llamaDir = dir.get();
    }

    @Test
    void quick_withSixteenSlots_hasNoErrors_agreesWithTheServersTimings_andDecodesAtLeastEightAtOnce() throws Exception {
        try (LlamaServer llama = LlamaServer.start(llamaDir, "small", "-c", "65536", "--parallel", "16")) {
            Path run = quick(llama, "1,4,8,16");
            JsonNode json = runJson(run);
            checkEveryLevelAgreesWithTheServer(run, json, 4);
            double active = activeSequencesAt(json, 16);
            System.out.printf("real llama.cpp --parallel 16: decodes about %.1f at once at 16 streams%n", active);
            assertThat(active).as("decodes about k at once, at 16 streams with 16 slots").isGreaterThanOrEqualTo(8);
            assertThat(json.at("/server_notes/target").toString()).contains("closes connections after each response while advertising Keep-Alive");
            // It said it has 16 slots (/props): 16 streams never waited for one, whatever fewer decoded at once.
            for (JsonNode s : json.get("steps")) assertThat(s.at("/server/slots").asInt()).as(s.get("step_id").asText()).isEqualTo(16);
            assertThat(json.at("/collapse/0/line").asText()).doesNotContain("queues the rest").doesNotContain("queueing for a slot");
        }
    }

    @Test
    void quick_withFourSlots_decodesAboutFourAtOnce_andNamesQueueingForASlot() throws Exception {
        try (LlamaServer llama = LlamaServer.start(llamaDir, "small", "-c", "65536", "--parallel", "4")) {
            Path run = quick(llama, "1,4,8,16");
            JsonNode json = runJson(run);
            checkEveryLevelAgreesWithTheServer(run, json, 4);
            double active = activeSequencesAt(json, 16);
            System.out.printf("real llama.cpp --parallel 4: decodes about %.1f at once at 16 streams; %s%n", active, json.at("/collapse/0/line").asText());
            assertThat(active).isBetween(3.0, 5.0);
            for (JsonNode s : json.get("steps")) assertThat(s.at("/server/slots").asInt()).as(s.get("step_id").asText()).isEqualTo(4);
            assertThat(json.at("/collapse/0/line").asText()).contains("most of the wait is queueing for a slot");
        }
    }

    @Test
    void quick_answersThatEndByThemselves_decodeAsTheServerSays_andTheirUnstreamedEndTokenIsNoMismatch() throws Exception {
        try (LlamaServer llama = LlamaServer.start(llamaDir, "small", "-c", "65536", "--parallel", "4")) {
            // A grammar that allows one sentence and then only the end-of-sequence token: every answer stops by itself (the random
            // model spells the sentence in its own odd pieces, 14 to 22 tokens), and llama.cpp counts that end token in its usage
            // without streaming it.
            String sentence = "the lazy dog sleeps on the mat";
            int code = cli("quick", "--url", llama.url(), "--model", llama.model, "--concurrency", "1,4", "--duration", "8s", "--max-tokens", "200",
                    "--extra-body", "{\"grammar\": \"root ::= \\\"" + sentence + "\\\"\"}", "--data", runs.toString());
            assertThat(code).as("quick's exit code (0 ok, 3 SLO failed)").isIn(0, 3);
            Path run = onlyRun();
            JsonNode json = runJson(run);

            List<JsonNode> stopped = requests(run).stream().filter(r -> r.get("measured").asBoolean() && !r.has("error")
                    && "stop".equals(r.path("finish_reason").asText())).toList();
            long endTokenNotStreamed = stopped.stream().filter(r -> r.path("usage_completion_tokens").asInt() == r.get("token_events").asInt() + 1).count();
            System.out.printf("real llama.cpp, answers that end by themselves: %d stopped, %d of them with the end token counted but not streamed%n",
                    stopped.size(), endTokenNotStreamed);
            assertThat(stopped).as("answers that stopped by themselves").hasSizeGreaterThan(10);
            assertThat(endTokenNotStreamed).as("of them, usage = streamed token events + 1").isGreaterThan(stopped.size() / 2);
            checkEveryLevelAgreesWithTheServer(run, json, 2);
            for (JsonNode s : json.get("steps")) assertThat(s.get("flags").toString()).as(s.get("step_id").asText()).doesNotContain("usage_mismatch");
        }
    }

    @Test
    void agentServing_longPrefixLandsOnTenThousandServerTokens_andShowsColdVersusWarm() throws Exception {
        // The tiny model: a 10K-token cold prefill on one thread takes ~5x less time than with the small one, and the server is the same.
        try (LlamaServer llama = LlamaServer.start(llamaDir, "tiny", "-c", "65536", "--parallel", "4")) {
            // The built-in plan with this server as its one target and a shorter sweep; its scenarios are untouched.
            String plan = PlanReader.builtInText("agent-serving")
                    .replaceAll("(?s)targets:\n.*?\ndefaults:", "targets:\n  - { name: llama, url: \"" + llama.url() + "\", model: " + llama.model
                            + ", extra_body: { ignore_eos: true } }\ndefaults:")
                    .replace("concurrency: [1, 4, 8, 16], duration: 40s", "concurrency: [1, 4], duration: 4s")
                    // agents has its own test below; here one parser error in a lone conversation would leave a level empty
                    .replaceAll("(?s)\n  # Five turns.*?think_time: 1s \\}", "")
                    // Shorter answers: the scenarios' prompts are what this test is about, and every generated token of a
                    // random-weight model is a small chance of a parser error in the server.
                    .replace("max_tokens: 200 }", "max_tokens: 48 }").replace("max_tokens: 800 }", "max_tokens: 200 }");
            assertThat(plan).as("every long level was shortened; if the built-in plan changed, shorten it here too")
                    .doesNotContain("duration: 40s").doesNotContain("name: agents");
            Path file = runs.resolve("agent-serving-llama.yaml");
            Files.writeString(file, plan);
            int code = cli("run", file.toString(), "--local", "--data", runs.toString());
            assertThat(code).as("ok, or SLO failed; never invalid or run failed").isIn(0, 3);
            JsonNode json = runJson(onlyRun());
            JsonNode longPrefix = step(json, "long_prefix");
            int asked = longPrefix.at("/prompt_size/asked_tokens").asInt();
            int counted = longPrefix.at("/prompt_size/counted_p50").asInt();
            System.out.printf("real llama.cpp long_prefix: asked %d prompt tokens, the server counted %d; cold %.0f ms, warm %.0f ms, %d cached%n", asked,
                    counted, longPrefix.get("cold_ttft_ms").asDouble(), longPrefix.get("warm_ttft_ms").asDouble(), longPrefix.get("warm_cached_tokens").asInt());
            assertThat(asked).isGreaterThanOrEqualTo(10_000);
            assertThat((double) counted).isCloseTo(asked, within(0.03 * asked));
            assertThat(longPrefix.get("requests").asInt()).isEqualTo(5);
            assertThat(longPrefix.get("cold_ttft_ms").isNumber()).as("turn 1 measured").isTrue();
            assertThat(longPrefix.get("warm_ttft_ms").asDouble()).isLessThan(longPrefix.get("cold_ttft_ms").asDouble());
            int warmOk = longPrefix.get("ok").asInt() - 1;
            assertThat(longPrefix.get("warm_cached_tokens").asInt()).isGreaterThan(warmOk * 9_000); // turns 2-5 reuse the 10K prefix
            assertThat(longPrefix.at("/server/cached_tokens").asLong()).isGreaterThan(warmOk * 9_000L);
            for (JsonNode s : json.get("steps")) noClientSideErrors(s);
        }
    }

    @Test
    void agentSessions_haveNoClientErrors_reportTheServersCachedTokensPerTurn_andWarmTurnsBeatColdOnesWithinTheSlots() throws Exception {
        try (LlamaServer llama = LlamaServer.start(llamaDir, "tiny", "-c", "65536", "--parallel", "4")) {
            String plan = """
                    name: agents-llama
                    targets:
                      - { name: llama, url: "%s", model: %s, extra_body: { ignore_eos: true } }
                    defaults: { warmup: 2, max_tokens: 32 }
                    scenarios:
                      - name: agents
                        prefix: { tokens: 3000, per_session: true }
                        turns: 4
                        tools: builtin
                        tool_turns: [2]
                        load: { sessions: [1, 2, 4], duration: 15s, think_time: 500ms }
                    """.formatted(llama.url(), llama.model);
            Path file = runs.resolve("agents-llama.yaml");
            Files.writeString(file, plan);
            assertThat(cli("run", file.toString(), "--local", "--data", runs.toString())).isIn(0, 3);
            JsonNode json = runJson(onlyRun());
            assertThat(json.get("steps")).hasSize(3);
            for (JsonNode s : json.get("steps")) {
                String id = s.get("step_id").asText();
                noClientSideErrors(s);
                JsonNode agents = s.get("agents");
                System.out.printf("real llama.cpp %s: cold %s ms, warm %s ms, cached share of warm prompts %s%n", id, agents.get("cold_ttft_ms"),
                        agents.get("warm_ttft_ms"), agents.get("warm_cached_share"));
                assertThat(agents.get("warm_ttft_ms").asDouble()).as(id + ": warm turns faster than cold while sessions <= slots")
                        .isLessThan(agents.get("cold_ttft_ms").asDouble());
                assertThat(agents.get("warm_cached_share").asDouble()).as(id + ": the server's own count of cached prompt tokens").isGreaterThan(0.5);
                for (JsonNode turn : agents.get("turns")) {
                    if (turn.get("turn").asInt() > 1) assertThat(turn.get("cached_tokens_p50").asInt()).as(id + " turn " + turn.get("turn")).isPositive();
                }
                // This model's chat template cannot express tools: llama.cpp answers in text, and the step says so.
                assertThat(s.get("flags").toString()).contains("tools_ignored");
            }
        }
    }

    @Test
    void aPlanThatCannotFitTheContext_isRefusedBeforeAnyLoad_andTheServers400ExplainsItself() throws Exception {
        try (LlamaServer llama = LlamaServer.start(llamaDir, "tiny", "-c", "4096", "--parallel", "1")) {
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            PrintStream stdout = System.out;
            int code;
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            try {
                code = cli("quick", "--url", llama.url(), "--model", llama.model, "--prompt-tokens", "6000", "--concurrency", "1", "--duration", "2s",
                        "--data", runs.toString());
            } finally {
                System.setOut(stdout);
            }
            assertThat(code).isEqualTo(2);
            assertThat(printed.toString(StandardCharsets.UTF_8)).contains("needs 6,000 prompt tokens + 200 to generate = 6,200, but target 'target' holds 4,096 tokens per request");
            assertThat(runJson(onlyRun()).get("steps")).isEmpty(); // nothing was sent

            // A trace whose second record cannot fit either, by an estimate from its characters: refused too, naming its line.
            Path traceDir = Files.createDirectories(runs.resolve("trace-plan"));
            Files.writeString(traceDir.resolve("big.jsonl"), "{\"messages\": [{\"role\": \"user\", \"content\": \"hello\"}]}\n"
                    + "{\"messages\": [{\"role\": \"user\", \"content\": \"" + "lorem ipsum ".repeat(4_000) + "\"}]}\n");
            Path tracePlan = Files.writeString(traceDir.resolve("plan.yaml"), "name: big-trace\ntargets:\n  - { name: llama, url: \"" + llama.url()
                    + "\", model: " + llama.model + " }\nscenarios:\n  - { name: recorded, trace: { file: big.jsonl }, load: { concurrency: [1] } }\n");
            ByteArrayOutputStream tracePrinted = new ByteArrayOutputStream();
            System.setOut(new PrintStream(tracePrinted, true, StandardCharsets.UTF_8));
            try {
                code = cli("run", tracePlan.toString(), "--local", "--data", runs.resolve("trace-runs").toString());
            } finally {
                System.setOut(stdout);
            }
            assertThat(code).as("a trace record that cannot fit; it printed:%n%s", tracePrinted).isEqualTo(2);
            assertThat(tracePrinted.toString(StandardCharsets.UTF_8)).containsPattern("scenario 'recorded': the record at line 2 of .*big.jsonl needs about"
                    + " [0-9,]+ tokens with what it may generate .* but target 'llama' holds 4,096 tokens per request");

            // Sent anyway (a worker does what it is told): the server's own 400, classified and explained.
            StepFinished f = sendDirectly(llama, 6000);
            assertThat(f.records()).hasSize(2).allSatisfy(r -> {
                assertThat(r.outcome().error()).isEqualTo("http_4xx");
                assertThat(r.outcome().httpStatus()).isEqualTo(400);
                assertThat(r.outcome().errorReason()).matches("exceed_context_size \\(\\d,\\d{3} > 4,096 tokens\\)");
                assertThat(r.outcome().errorDetail()).contains("exceeds the available context size (4096 tokens)");
            });
        }
    }

    /**
     * llama.cpp with --api-key reads the key from Authorization: Bearer or x-api-key, not api-key. In a child JVM, as the key
     * comes from the coordinator's environment: the right header measures with no error; the wrong one is refused at the
     * warm-up, which gives the target up (TARGET_REFUSED, exit 3) instead of sending it refused requests for every step.
     */
    @Test
    void aServerWithAKey_getsItInTheHeaderThePlanNames_andAWrongHeaderEndsTheTargetAtTheWarmup() throws Exception {
        String key = "llama-test-key-" + Long.toHexString(System.nanoTime());
        try (LlamaServer llama = LlamaServer.start(llamaDir, "tiny", "-c", "4096", "--parallel", "1", "--api-key", key);
             Jvms jvms = new Jvms(runs)) {
            JsonNode right = quickWithKey(jvms, llama, key, "x-api-key", 0, 3);
            assertThat(right.at("/targets/0/api_key_header").asText()).isEqualTo("x-api-key");
            assertThat(right.get("steps")).hasSize(1);
            JsonNode step = right.get("steps").get(0);
            assertThat(step.get("ok").asInt()).as("answered requests").isPositive();
            noClientSideErrors(step);

            JsonNode wrong = quickWithKey(jvms, llama, key, "api-key", 3);
            assertThat(wrong.get("steps")).as("no measured step after the refused warm-up").isEmpty();
            assertThat(wrong.get("failures").toString()).contains("TARGET_REFUSED").contains("refused all 2 requests with HTTP 401")
                    .contains("does the server read it from header api-key?");
            for (String log : List.of("quick-x-api-key", "quick-api-key")) assertThat(jvms.log(log)).doesNotContain(key);
            try (Stream<Path> files = Files.walk(runs)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    byte[] bytes = Files.readAllBytes(f);
                    String text = f.toString().endsWith(".gz") ? new String(new GZIPInputStream(new java.io.ByteArrayInputStream(bytes)).readAllBytes(),
                            StandardCharsets.UTF_8) : new String(bytes, StandardCharsets.ISO_8859_1);
                    assertThat(text).as("%s", f).doesNotContain(key);
                }
            }
        }
    }

    private JsonNode quickWithKey(Jvms jvms, LlamaServer llama, String key, String header, Integer... exitCodes) throws Exception {
        Path data = runs.resolve("data-" + header);
        Process p = jvms.launch(List.of(), Map.of("LLAMA_TEST_KEY", key), "quick-" + header, "quick", "--url", llama.url(), "--model", llama.model,
                "--api-key-env", "LLAMA_TEST_KEY", "--api-key-header", header, "--concurrency", "1", "--duration", "2s", "--max-tokens", "16",
                "--data", data.toString());
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).as("quick with the key in %s ended", header).isTrue();
        assertThat(p.exitValue()).as("quick's exit code with the key in %s; it printed:%n%s", header, jvms.log("quick-" + header)).isIn((Object[]) exitCodes);
        try (Stream<Path> s = Files.list(data)) {
            return runJson(s.filter(Files::isDirectory).findFirst().orElseThrow());
        }
    }

    /**
     * Every level: no errors, each request's client decode rate agreeing with the server's own for it (the median gap within
     * 3 %, computed here from the records), no TTFT below the server's prompt time.
     */
    private static void checkEveryLevelAgreesWithTheServer(Path run, JsonNode json, int levels) throws IOException {
        assertThat(json.get("steps")).hasSize(levels);
        List<JsonNode> records = requests(run);
        String summary = Files.readString(run.resolve("summary.md"));
        assertThat(summary).contains("server's own decode p50, in our n - 1 definition (client's gap, median per request)");
        int requests = 0;
        int failed = 0;
        for (JsonNode s : json.get("steps")) {
            String id = s.get("step_id").asText();
            assertThat(s.get("requests").asInt()).as(id).isPositive();
            noClientSideErrors(s);
            requests += s.get("requests").asInt();
            failed += s.get("requests").asInt() - s.get("ok").asInt();
            double gap = medianDecodeGapPct(records, id);
            System.out.printf("real llama.cpp %s: client decode p50 %.1f tok/s, server's own p50 %.1f ((n - 1) / predicted_ms), median gap per request %+.2f %%%n", id,
                    s.at("/decode_tok_s/p50").asDouble(), s.at("/server/decode_tok_sp50").asDouble(), gap);
            assertThat(gap).as(id + " median over requests of the client's decode rate against the server's own for the same request, in %")
                    .isBetween(-3.0, 3.0);
            assertThat(s.at("/server/decode_gap_pct_p50").isNumber()).as(id + " run.json reports the gap").isTrue();
            double reported = s.at("/server/decode_gap_pct_p50").asDouble();
            assertThat(reported).as(id + " the gap run.json reports").isCloseTo(gap, within(0.01));
            assertThat(summary).as("summary.md, beside the server's decode p50").contains(String.format(Locale.ROOT, " tok/s (client %+.1f%%) / ", reported));
            assertThat(json.at("/server_metrics/" + id).toString()).as(id + " server counters").contains("llamacpp:tokens_predicted_total");
            assertThat(s.get("flags").toString()).doesNotContain("ttft_below_server_prompt_time").doesNotContain("server_decode_gap");
        }
        System.out.println("real llama.cpp: " + failed + " of " + requests + " requests ended by the server's chat parser over the sweep");
        for (JsonNode r : records) {
            if (!r.get("measured").asBoolean() || r.get("error") != null && !r.get("error").isNull()) continue;
            double promptMs = r.at("/server_timings/prompt_millis").asDouble();
            assertThat(r.get("ttft_micros").asLong() / 1000.0).as("TTFT of " + r.get("step_id") + "/" + r.get("seq")).isGreaterThanOrEqualTo(promptMs);
        }
    }

    /**
     * The step's median, over its measured whole answers, of 100 × (client decode rate ÷ the server's for the same request − 1),
     * the server's taken in the client's definition: llama.cpp's {@code predicted_ms} runs from the first token to the last, so
     * the tokens after the first are {@code predicted_n − 1}.
     */
    private static double medianDecodeGapPct(List<JsonNode> records, String stepId) {
        double[] gaps = records.stream()
                .filter(r -> r.get("step_id").asText().equals(stepId) && r.get("measured").asBoolean() && !r.get("cancelled").asBoolean()
                        && (r.get("error") == null || r.get("error").isNull()))
                .filter(r -> r.has("server_timings") && r.at("/server_timings/predicted_tokens").asInt() >= 2 && r.has("decode_rate_tok_s"))
                .mapToDouble(r -> {
                    double server = (r.at("/server_timings/predicted_tokens").asInt() - 1) * 1000.0 / r.at("/server_timings/predicted_millis").asDouble();
                    return 100 * (r.get("decode_rate_tok_s").asDouble() / server - 1);
                }).sorted().toArray();
        assertThat(gaps).as(stepId + " requests with both decode rates").isNotEmpty();
        return gaps[(gaps.length + 1) / 2 - 1]; // the lower middle of an even count, as the report's nearest-rank median
    }

    /**
     * No request failed on the client's side (the bug this suite was born of: half the requests lost to connections the
     * server had closed). The random-weight model's gibberish sometimes breaks llama.cpp's own chat parser mid-stream:
     * that is the server's error, reported as {@code stream_error} with its message.
     */
    private static void noClientSideErrors(JsonNode step) {
        String id = step.get("step_id").asText();
        int failed = step.get("requests").asInt() - step.get("ok").asInt();
        for (JsonNode e : step.get("error_reasons")) {
            assertThat(e.get("error_class").asText() + ": " + e.get("reason").asText()).as(id)
                    .isEqualTo("stream_error: The model produced output that does not match the expected peg-native format");
        }
        // How often the gibberish trips the parser is the random model's business (seen: 0 to 4 of 8 at one level, varying
        // run to run with batching), not tokensiege's: the step only needs a whole answer to compare with the server.
        assertThat(step.get("ok").asInt()).as(id + " whole answers beside " + step.get("error_reasons")).isPositive();
        if (failed > 0) System.out.println("real llama.cpp " + id + ": " + failed + " stream_error(s) from the server's chat parser (random weights)");
    }

    private static double activeSequencesAt(JsonNode json, int level) {
        for (JsonNode l : json.at("/collapse/0/levels")) if (l.get("level").asInt() == level) return l.get("active_sequences").asDouble();
        throw new AssertionError("no level " + level + " in " + json.get("collapse"));
    }

    private Path quick(LlamaServer llama, String levels) throws IOException {
        int code = cli("quick", "--url", llama.url(), "--model", llama.model, "--concurrency", levels, "--duration", "8s", "--max-tokens", "64",
                "--extra-body", "{\"ignore_eos\": true}", "--data", runs.toString());
        assertThat(code).as("quick's exit code (0 ok, 3 SLO failed)").isIn(0, 3);
        return onlyRun();
    }

    private static int cli(String... args) {
        return new CommandLine(new Tokensiege()).execute(args);
    }

    private Path onlyRun() throws IOException {
        try (Stream<Path> s = Files.list(runs)) {
            return s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
    }

    private static JsonNode runJson(Path run) throws IOException {
        return Json.MAPPER.readTree(run.resolve("run.json").toFile());
    }

    private static JsonNode step(JsonNode json, String scenario) {
        for (JsonNode s : json.get("steps")) if (s.get("scenario").asText().equals(scenario)) return s;
        throw new AssertionError("no step of " + scenario);
    }

    private static List<JsonNode> requests(Path run) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(run.resolve("requests.jsonl.gz")))) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) if (!line.isBlank()) out.add(Json.MAPPER.readTree(line));
        }
        return out;
    }

    /** Two requests of {@code promptTokens} (4 characters each) straight through a worker, with no plan check in the way. */
    private static StepFinished sendDirectly(LlamaServer llama, int promptTokens) throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            Target target = new Target("llama", llama.url(), llama.model, null, Map.of(), Map.of(), null);
            StepSpec step = new StepSpec("too-long", 0, StepKind.SEQUENTIAL, target, "too-long", 1, 1, 2, 0, 0, 0, 10, 0.0, promptTokens, true, 0, List.of(),
                    new Timeouts(5_000, 30_000, 30_000, 60_000), 1, "n", null, null, null);
            CompletableFuture<Void> ready = new CompletableFuture<>();
            CompletableFuture<StepFinished> done = new CompletableFuture<>();
            io.tokensiege.common.protocol.RecordAssembly assembly = new io.tokensiege.common.protocol.RecordAssembly(); // records come in chunks first
            WorkerAgent agent = new WorkerAgent(vertx, "w1", new SecretBox("test-token"), m -> {
                if (m instanceof WorkerReady) ready.complete(null);
                if (m instanceof io.tokensiege.common.protocol.RecordChunk rc) assembly.add(rc);
                if (m instanceof StepFinished fin) done.complete(assembly.complete(fin).finished());
            }, List.of());
            agent.onMessage(new AssignStep("run", step.stepId(), "w1", step, 1, 0, null));
            ready.get(30, TimeUnit.SECONDS);
            agent.onMessage(new StartStep("run", step.stepId(), (System.currentTimeMillis() + 50) * 1000));
            return done.get(90, TimeUnit.SECONDS);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
