package io.tokensiege.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.common.json.Json;
import io.tokensiege.common.metric.Histograms;
import io.tokensiege.common.metric.RequestRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four "hosts" as network namespaces on one bridge — coordinator, two workers, the simulator — each a real
 * JVM bound to its own address, with a cluster token (off loopback it is required). A two-level sweep runs
 * end to end; the merge must equal one histogram of every worker's values, and the start skew is reported.
 * Needs root and iproute2 (CI has both); traffic stays inside the namespaces this test creates.
 */
class MultiHostTest {
    private static final String NET = "10.232." + ThreadLocalRandom.current().nextInt(1, 250) + ".";
    @TempDir
    Path dir;
    private final String tag = HexFormat.of().toHexDigits((byte) ThreadLocalRandom.current().nextInt(256)) + ProcessHandle.current().pid() % 1000;
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final String bridge = "tsb" + tag;

    private static int sh(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) throw new AssertionError("timed out: " + String.join(" ", cmd));
        if (p.exitValue() != 0) throw new AssertionError(String.join(" ", cmd) + " failed: " + out);
        return 0;
    }

    private String host(String name, int octet) throws Exception {
        String ns = "ts" + name + tag;
        String veth = "tv" + name + tag;
        sh("ip", "netns", "add", ns);
        namespaces.add(ns);
        sh("ip", "link", "add", veth, "type", "veth", "peer", "name", veth + "b");
        sh("ip", "link", "set", veth, "netns", ns);
        sh("ip", "link", "set", veth + "b", "master", bridge);
        sh("ip", "link", "set", veth + "b", "up");
        sh("ip", "-n", ns, "link", "set", "lo", "up");
        sh("ip", "-n", ns, "addr", "add", NET + octet + "/24", "dev", veth);
        sh("ip", "-n", ns, "link", "set", veth, "up");
        sh("ip", "-n", ns, "route", "add", "224.0.0.0/4", "dev", veth); // multicast stays on this bridge
        return ns;
    }

    private void launch(String ns, String log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-Dhazelcast.phone.home.enabled=false", "-Dhazelcast.logging.type=slf4j", "-Dtokensiege.log=INFO",
                "-cp", System.getProperty("java.class.path"), "io.tokensiege.deploy.Tokensiege"));
        cmd.addAll(List.of(args));
        processes.add(new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(log).toFile()).start());
    }

    private void awaitLog(String log, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Path f = dir.resolve(log);
        while (System.nanoTime() < deadline) {
            if (Files.exists(f) && Files.readString(f).contains(text)) return;
            TimeUnit.MILLISECONDS.sleep(50); // another process's log: polled, bounded
        }
        throw new AssertionError(log + " never printed '" + text + "':\n" + (Files.exists(f) ? Files.readString(f) : ""));
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        for (String ns : namespaces) new ProcessBuilder("ip", "netns", "del", ns).start().waitFor(10, TimeUnit.SECONDS);
        new ProcessBuilder("ip", "link", "del", bridge).start().waitFor(10, TimeUnit.SECONDS);
    }

    private void bridge() throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        assumeTrue(root && (Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"))), "needs root and iproute2");
        sh("ip", "link", "add", bridge, "type", "bridge");
        sh("ip", "addr", "add", NET + "254/24", "dev", bridge); // this JVM submits the plan over the bridge
        sh("ip", "link", "set", bridge, "up");
    }

    @Test
    void withMulticast_aWorkerFindsTheCoordinatorWithoutItsAddress() throws Exception {
        bridge();
        String coord = host("c", 1);
        String w1 = host("a", 2);
        Path token = dir.resolve("token");
        Files.writeString(token, "multicast-test-token-" + tag + "-0123456789");
        String cluster = "mc-" + tag;
        String group = "239.255." + ThreadLocalRandom.current().nextInt(1, 250) + ".7:" + (40000 + ThreadLocalRandom.current().nextInt(20000));
        launch(coord, "coordinator.log", "coordinator", "--bind", NET + "1", "--port", "5701", "--http", NET + "1:8080", "--token-file", token.toString(),
                "--cluster-name", cluster, "--data", dir.resolve("runs").toString(), "--multicast=" + group);
        awaitLog("coordinator.log", "REST API on");
        launch(w1, "w1.log", "worker", "--multicast=" + group, "--name", "w1", "--token-file", token.toString(), "--cluster-name", cluster,
                "--data", dir.resolve("w1-data").toString());
        awaitLog("w1.log", "joined the coordinator found on multicast " + group);
        awaitLog("coordinator.log", "worker w1 joined");
    }

    @Test
    void coordinatorTwoWorkersAndSimulator_onFourHosts_runASweepWithAnExactMerge() throws Exception {
        bridge();
        String coord = host("c", 1);
        String w1 = host("a", 2);
        String w2 = host("b", 3);
        String simHost = host("s", 4);
        Path token = dir.resolve("token");
        Files.writeString(token, "multi-host-test-token-" + tag + "-0123456789");
        String cluster = "mh-" + tag;

        launch(simHost, "sim.log", "simulate", "--profile", "moe-35b-a3b", "--host", NET + "4", "--port", "8000", "--speed", "20");
        launch(coord, "coordinator.log", "coordinator", "--bind", NET + "1", "--port", "5701", "--http", NET + "1:8080", "--token-file", token.toString(),
                "--cluster-name", cluster, "--data", dir.resolve("runs").toString());
        awaitLog("sim.log", "serving model");
        awaitLog("coordinator.log", "REST API on");
        for (String[] w : List.of(new String[] {w1, "w1"}, new String[] {w2, "w2"})) {
            launch(w[0], w[1] + ".log", "worker", "--join", NET + "1:5701", "--name", w[1], "--token-file", token.toString(), "--cluster-name", cluster,
                    "--allow-target", "http://" + NET + "4:*", "--data", dir.resolve(w[1] + "-data").toString());
        }
        awaitLog("w1.log", "joined");
        awaitLog("w2.log", "joined");

        Path plan = dir.resolve("plan.yaml");
        Files.writeString(plan, "name: lan\ntargets:\n  - { name: sim, url: \"http://" + NET + "4:8000/v1\", model: qwen3.6-35b-a3b-4bit }\n"
                + "defaults: { warmup: 1, max_tokens: 40, max_plausible_decode_tok_s: 100000 }\n"
                + "scenarios:\n  - { name: sweep, prompt: { tokens: 32, unique: true }, load: { concurrency: [2, 6], duration: 3s } }\n");
        int code = new picocli.CommandLine(new Tokensiege()).execute("run", plan.toString(), "--coordinator", "http://" + NET + "1:8080",
                "--token-file", token.toString());
        assertThat(code).isZero();

        Path run;
        try (var s = Files.list(dir.resolve("runs"))) {
            run = s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        JsonNode c6 = Json.MAPPER.readTree(run.resolve("run.json").toFile()).get("steps").get(1);
        assertThat(c6.at("/worker_shares/w1").asInt()).isEqualTo(3);
        assertThat(c6.at("/worker_shares/w2").asInt()).isEqualTo(3);
        assertThat(c6.get("start_skew_ms").asDouble()).isBetween(0.0, 5.0);
        List<RequestRecord> records;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(run.resolve("requests.jsonl.gz")))) {
            records = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(l -> Json.read(l, RequestRecord.class)).toList();
        }
        Histogram all = Histograms.create();
        records.stream().filter(r -> r.stepId().equals(c6.get("step_id").asText()) && r.measured() && r.ok()).forEach(r -> all.recordValue(r.ttftMicros()));
        assertThat(records).extracting(RequestRecord::workerId).contains("w1", "w2");
        assertThat(all.getTotalCount()).isEqualTo(c6.at("/ttft_ms/count").asLong());
        assertThat(c6.at("/ttft_ms/p50").asDouble()).isCloseTo(all.getValueAtPercentile(50) / 1000.0, within(1e-9));
        assertThat(c6.at("/ttft_ms/p99").asDouble()).isCloseTo(all.getValueAtPercentile(99) / 1000.0, within(1e-9));
        System.out.printf("multi-host: start skew %.2f ms between w1 and w2%n", c6.get("start_skew_ms").asDouble());
    }
}
