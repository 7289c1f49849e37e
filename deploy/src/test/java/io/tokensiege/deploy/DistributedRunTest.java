package io.tokensiege.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.common.json.Json;
import io.tokensiege.common.metric.Histograms;
import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.simulator.http.GroundTruth;
import io.tokensiege.simulator.http.SimulatorServer;
import io.tokensiege.simulator.profile.Profiles;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real JVMs on loopback: a coordinator and workers started as separate processes (the launcher's own
 * main), the simulator in this JVM so its request log is the ground truth of who sent what and when.
 */
@Timeout(300)
class DistributedRunTest {
    @TempDir
    Path dir;
    private Jvms jvms;
    private Vertx vertx;
    private SimulatorServer sim;
    private String cluster;
    private int clusterPort;
    private int httpPort;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        sim = SimulatorServer.start(vertx, Profiles.load("moe-35b-a3b"), "127.0.0.1", 0, 20).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        cluster = "test-" + UUID.randomUUID(); // never join a stale cluster (docs/stack-notes.md)
        clusterPort = Jvms.freePort();
        httpPort = Jvms.freePort();
        jvms = new Jvms(dir);
    }

    @AfterEach
    void stop() throws Exception {
        jvms.close();
        sim.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private Process launch(String name, String... args) throws IOException {
        return jvms.launch(name, args);
    }

    private Process coordinator() throws Exception {
        Process p = launch("coordinator", "coordinator", "--port", "" + clusterPort, "--http", "127.0.0.1:" + httpPort, "--data", dir.resolve("runs").toString(),
                "--cluster-name", cluster, "--worker-timeout", "5");
        awaitLog("coordinator", "REST API on");
        return p;
    }

    private Process worker(String name, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("worker", "--join", "127.0.0.1:" + clusterPort, "--name", name, "--cluster-name", cluster,
                "--data", dir.resolve(name + "-data").toString()));
        args.addAll(List.of(extra));
        return launch(name, args.toArray(String[]::new));
    }

    /** Waits for a line in a process log, bounded: the processes print it once ready. */
    private void awaitLog(String name, String text) throws Exception {
        jvms.awaitLog(name, text);
    }

    private final ByteArrayOutputStream runOutput = new ByteArrayOutputStream();

    private int run(String planYaml) throws Exception {
        Path plan = dir.resolve("plan.yaml");
        Files.writeString(plan, planYaml);
        PrintStream old = System.out;
        System.setOut(new PrintStream(runOutput, true, StandardCharsets.UTF_8));
        try {
            return new picocli.CommandLine(new Tokensiege()).execute("run", plan.toString(), "--coordinator", "http://127.0.0.1:" + httpPort);
        } finally {
            System.setOut(old);
        }
    }

    private String plan(String levels, String duration) {
        return "name: dist\ntargets:\n  - { name: sim, url: \"http://127.0.0.1:" + sim.port() + "/v1\", model: qwen3.6-35b-a3b-4bit }\n"
                + "defaults: { warmup: 1, max_tokens: 40, max_plausible_decode_tok_s: 100000 }\n"
                + "scenarios:\n  - { name: sweep, prompt: { tokens: 32, unique: true }, load: { concurrency: [" + levels + "], duration: " + duration + " } }\n";
    }

    private JsonNode runJson() throws IOException {
        try (var s = Files.list(dir.resolve("runs"))) {
            Path run = s.filter(Files::isDirectory).findFirst().orElseThrow();
            return Json.MAPPER.readTree(run.resolve("run.json").toFile());
        }
    }

    private List<RequestRecord> records() throws IOException {
        try (var s = Files.list(dir.resolve("runs"))) {
            Path run = s.filter(Files::isDirectory).findFirst().orElseThrow();
            try (InputStream in = new GZIPInputStream(Files.newInputStream(run.resolve("requests.jsonl.gz")))) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(l -> Json.read(l, RequestRecord.class)).toList();
            }
        }
    }

    @Test
    void twoWorkers_splitExactly_andTheMergeEqualsOneHistogramOfEveryValue() throws Exception {
        coordinator();
        worker("w1");
        worker("w2");
        awaitLog("w1", "joined");
        awaitLog("w2", "joined");
        awaitClockSamples(2);
        assertThat(run(plan("2, 5", "3s"))).isZero();

        JsonNode run = runJson();
        JsonNode c5 = run.get("steps").get(1);
        assertThat(c5.get("concurrency").asInt()).isEqualTo(5);
        assertThat(c5.at("/worker_shares/w1").asInt() + c5.at("/worker_shares/w2").asInt()).isEqualTo(5);
        assertThat(Math.abs(c5.at("/worker_shares/w1").asInt() - c5.at("/worker_shares/w2").asInt())).isEqualTo(1); // 3+2
        // The coordinator merged encoded histograms; rebuild one histogram from every worker's raw records.
        Histogram all = Histograms.create();
        records().stream().filter(r -> r.origin().stepId().equals(c5.get("step_id").asText()) && r.measured() && r.ok()).forEach(r -> all.recordValue(r.times().ttftMicros()));
        assertThat(all.getTotalCount()).isEqualTo(c5.at("/ttft_ms/count").asLong());
        for (String p : List.of("p50", "p90", "p95", "p99", "max")) {
            double pct = switch (p) { case "p50" -> 50; case "p90" -> 90; case "p95" -> 95; case "p99" -> 99; default -> 100; };
            // Same µs values on both sides; only the ms conversion (x 0.001 vs / 1000) may differ in the last bit.
            assertThat(c5.at("/ttft_ms/" + p).asDouble()).as(p).isCloseTo(all.getValueAtPercentile(pct) / 1000.0, org.assertj.core.api.Assertions.within(1e-9));
        }
        assertThat(records()).extracting(rec -> rec.origin().workerId()).contains("w1", "w2");
        // Both workers started at the broadcast instant: skew is reported. Here four JVMs and the simulator crowd two
        // cores, so it measures contention too (seen up to 9 ms); the 5 ms requirement is MultiHostTest's.
        assertThat(c5.get("start_skew_ms").asDouble()).isBetween(0.0, 25.0);
        // The coordinator estimated each worker's clock offset and stored it. Same machine, so the true offset is 0,
        // and a min-round-trip estimate is off by at most half its best round trip (a few ms on these busy cores).
        for (JsonNode w : run.get("workers")) {
            double rtt = w.get("clock_rtt_ms").asDouble();
            assertThat(rtt).isPositive();
            assertThat(Math.abs(w.get("clock_offset_ms").asDouble())).isLessThanOrEqualTo(rtt / 2 + 0.5);
        }
        // While it ran, the client printed the coordinator's live merged view each second.
        assertThat(runOutput.toString(StandardCharsets.UTF_8)).containsPattern("live sim / sweep @5  \\d+/\\d+ s  TTFT p50 [\\d,]+ ms");
    }

    @Test
    void workerWithAWrongToken_isRefused_andSendsNoTraffic() throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "the-right-token-0123456789");
        Path wrong = dir.resolve("wrong");
        Files.writeString(wrong, "a-wrong-token-0123456789ab");
        launch("coordinator", "coordinator", "--port", "" + clusterPort, "--http", "127.0.0.1:" + httpPort, "--data", dir.resolve("runs").toString(),
                "--cluster-name", cluster, "--token-file", token.toString());
        awaitLog("coordinator", "REST API on");
        Process bad = worker("intruder", "--token-file", wrong.toString());
        assertThat(bad.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(bad.exitValue()).isEqualTo(2);
        assertThat(Files.readString(dir.resolve("intruder.log"))).contains("refused").contains("wrong cluster token");
        assertThat(sim.groundTruth().all()).isEmpty();
    }

    @Test
    void killingAWorkerMidStep_endsTheStepOnTime_markedPartial() throws Exception {
        coordinator();
        worker("w1");
        Process doomed = worker("w2");
        awaitLog("w1", "joined");
        awaitLog("w2", "joined");
        Thread killer = new Thread(() -> {
            try {
                // Once the level-4 step streams on both workers, kill w2 without warning.
                while (sim.groundTruth().all().stream().filter(t -> t.tokens() > 0).count() < 30) TimeUnit.MILLISECONDS.sleep(20);
                doomed.destroyForcibly();
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        });
        killer.start();
        long started = System.nanoTime();
        int code = run(plan("4", "6s"));
        killer.join(10_000);
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).isLessThan(60);
        assertThat(code).as("a run that lost a worker measured less than planned").isEqualTo(4);
        JsonNode step = runJson().get("steps").get(0);
        assertThat(step.get("partial").asBoolean()).isTrue();
        assertThat(step.get("partial_reason").asText()).contains("w2");
        assertThat(runJson().get("failures").toString()).contains("WORKER_LOST");
        assertThat(step.at("/worker_shares/w1").asInt()).isEqualTo(2); // the survivor's share is there, exact
    }

    @Test
    void killingTheCoordinator_stopsEveryWorkerWithin5Seconds() throws Exception {
        Process coordinator = coordinator();
        worker("w1");
        awaitLog("w1", "joined");
        Thread submitter = new Thread(() -> {
            try {
                run(plan("4", "60s"));
            } catch (Exception ignored) {
                // the coordinator dies under it
            }
        });
        submitter.setDaemon(true);
        submitter.start();
        // Past the 2 s ramp, so measured requests have finished and been logged: ~80 requests/s at this level.
        while (sim.groundTruth().all().stream().filter(t -> t.tokens() > 0).count() < 320) TimeUnit.MILLISECONDS.sleep(20);
        coordinator.destroyForcibly();
        long killedAt = System.nanoTime();
        // Give the workers 5 s; then nothing new may arrive for another 2 s.
        TimeUnit.SECONDS.sleep(7);
        List<GroundTruth> late = sim.groundTruth().all().stream().filter(t -> t.receivedNanos > killedAt + TimeUnit.SECONDS.toNanos(5)).toList();
        assertThat(late).as("requests sent more than 5 s after the coordinator died").isEmpty();
        assertThat(Files.readString(dir.resolve("w1.log"))).contains("lost the coordinator");
        // What w1 measured before the coordinator died is on w1's own disk.
        int intervals = 0;
        try (var files = Files.walk(dir.resolve("w1-data"))) {
            for (Path hlog : files.filter(f -> f.toString().endsWith(".hlog")).toList()) {
                var reader = new org.HdrHistogram.HistogramLogReader(hlog.toFile());
                while (reader.nextIntervalHistogram() != null) intervals++;
            }
        }
        assertThat(intervals).isPositive();
    }

    @Test
    void forgedCommand_isRefused_andATargetOutsideAllowTarget_isRefused() throws Exception {
        coordinator();
        worker("w1", "--allow-target", "http://10.99.*.*:*");
        awaitLog("w1", "joined");
        // 1. A forged, wrongly signed assignment dropped straight into the worker's queue.
        var config = new com.hazelcast.client.config.ClientConfig();
        config.setClusterName(cluster);
        config.getNetworkConfig().addAddress("127.0.0.1:" + clusterPort);
        var intruder = com.hazelcast.client.HazelcastClient.newHazelcastClient(config);
        try {
            var target = new io.tokensiege.common.plan.Target("sim", "http://127.0.0.1:" + sim.port() + "/v1", "qwen3.6-35b-a3b-4bit", null,
                    java.util.Map.of(), java.util.Map.of(), null);
            var step = new io.tokensiege.common.protocol.StepSpec("forged", 0, io.tokensiege.common.protocol.StepKind.SEQUENTIAL, target, "x", 1, 1, 3,
                    0, 0, 0, 10, 0, 8, true, 0, List.of(), io.tokensiege.common.plan.Timeouts.DEFAULT, 1, "n", null, null, null);
            var forger = new io.tokensiege.common.protocol.MessageSigner(new io.tokensiege.common.protocol.SecretBox("not-the-cluster-token"), "coordinator");
            intruder.<String>getQueue(io.tokensiege.common.cluster.ClusterNames.toWorker("w1")).offer(forger.seal("w1",
                    io.tokensiege.common.protocol.Envelope.ANY_SESSION, new io.tokensiege.common.protocol.AssignStep("r", "forged", "w1", step, 1, 0, null)).wire());
            awaitLog("w1", "refused a command: bad signature");
        } finally {
            intruder.shutdown();
        }
        // 2. A properly signed plan whose target the worker is not allowed to load.
        assertThat(run(plan("2", "2s"))).isEqualTo(4);
        assertThat(runJson().get("failures").toString()).contains("WORKER_REJECTED").contains("target_not_allowed");
        assertThat(sim.groundTruth().all()).as("requests the simulator received").isEmpty();
    }

    /** Bounded wait until the coordinator has a clock-offset sample for {@code workers} workers. */
    private void awaitClockSamples(int workers) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/api/workers")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            long sampled = 0;
            for (JsonNode w : Json.MAPPER.readTree(body).get("workers")) if (w.get("clock_rtt_ms").asDouble() >= 0) sampled++;
            if (sampled >= workers) return;
            TimeUnit.MILLISECONDS.sleep(50); // polling another process over HTTP, bounded
        }
        throw new AssertionError("no clock samples for " + workers + " workers after 30 s");
    }

}
