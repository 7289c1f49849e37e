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
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four "hosts" as network namespaces on one bridge — coordinator, two workers, the simulator — each a real
 * JVM bound to its own address, with a cluster token (off loopback it is required). A two-level sweep runs
 * end to end; the merge must equal one histogram of every worker's values, and the start skew is reported.
 * Needs root and iproute2 (CI has both); traffic stays inside the namespaces this test creates.
 */
@Timeout(300)
class MultiHostTest {
    private static final String NET = "10.232." + ThreadLocalRandom.current().nextInt(1, 250) + ".";
    @TempDir
    Path dir;
    private final String tag = HexFormat.of().toHexDigits((byte) ThreadLocalRandom.current().nextInt(256)) + ProcessHandle.current().pid() % 1000;
    private final List<String> namespaces = new ArrayList<>();
    private Jvms jvms;
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

    /** A JVM "on host" {@code ns}; its output in {@code log} (a file name ending in .log). */
    private Process launch(String ns, String log, String... args) throws IOException {
        return jvms.launch(List.of("ip", "netns", "exec", ns), Map.of(), log.substring(0, log.length() - ".log".length()), args);
    }

    private void awaitLog(String log, String text) throws Exception {
        jvms.awaitLog(log.substring(0, log.length() - ".log".length()), text);
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (jvms != null) jvms.close();
        for (String ns : namespaces) new ProcessBuilder("ip", "netns", "del", ns).start().waitFor(10, TimeUnit.SECONDS);
        new ProcessBuilder("ip", "link", "del", bridge).start().waitFor(10, TimeUnit.SECONDS);
    }

    private void bridge() throws Exception {
        jvms = new Jvms(dir);
        boolean root = "root".equals(System.getProperty("user.name"));
        assumeTrue(root && (Files.isExecutable(Path.of("/usr/sbin/ip")) || Files.isExecutable(Path.of("/sbin/ip"))), "needs root and iproute2");
        sh("ip", "link", "add", bridge, "type", "bridge");
        sh("ip", "addr", "add", NET + "254/24", "dev", bridge); // this JVM submits the plan over the bridge
        sh("ip", "link", "set", bridge, "up");
    }

    @Test
    void withoutAToken_theCoordinatorIsUnreachableFromAnotherHost_andNoWorkerThereCanJoin() throws Exception {
        bridge();
        String coord = host("c", 1);
        String other = host("a", 2);
        String cluster = "nt-" + tag;
        launch(coord, "coordinator.log", "coordinator", "--port", "5701", "--http", "127.0.0.1:8080", "--cluster-name", cluster,
                "--data", dir.resolve("runs").toString());
        awaitLog("coordinator.log", "REST API on");
        // It is up on its own loopback: a worker on its host joins without ceremony, with the token the coordinator left for its user.
        launch(coord, "local.log", "worker", "--join", "127.0.0.1:5701", "--name", "local", "--cluster-name", cluster, "--data", dir.resolve("local").toString());
        awaitLog("local.log", "joined");
        // From the network (this JVM sits on the bridge), neither the cluster port nor the API answers.
        for (int port : new int[] {5701, 8080}) {
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress(NET + "1", port), 3000);
                throw new AssertionError("port " + port + " of a token-less coordinator answered from another host");
            } catch (java.net.ConnectException refused) {
                // what must happen: nothing listens on that address
            }
        }
        // A worker on another host cannot join: without a token it refuses to try, and with one there is nothing to reach.
        Process tokenless = launch(other, "far.log", "worker", "--join", NET + "1:5701", "--name", "far", "--cluster-name", cluster);
        assertThat(tokenless.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(tokenless.exitValue()).isEqualTo(2);
        assertThat(Files.readString(dir.resolve("far.log"))).contains("without a cluster token a worker joins loopback only");
        Path guess = dir.resolve("guessed-token");
        Files.writeString(guess, "a-token-guessed-by-someone-0123456789");
        Process guessing = launch(other, "guess.log", "worker", "--join", NET + "1:5701", "--name", "guess", "--cluster-name", cluster,
                "--token-file", guess.toString(), "--give-up-after", "5");
        assertThat(guessing.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertThat(guessing.exitValue()).isEqualTo(4);
        assertThat(Files.readString(dir.resolve("guess.log"))).contains("no coordinator answered at " + NET + "1:5701");
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
        // The skew is the spread of the workers' starts; here four JVMs share two cores, and a worker's wake-up can wait
        // a scheduler slice for one (35 ms seen). The product's own part is what is left of each lateness once its host's
        // wait for a core is taken out: that is held to 5 ms.
        double skew = c6.get("start_skew_ms").asDouble();
        assertThat(skew).isCloseTo(spread(c6.get("start_late_ms"), null), within(1e-9));
        double ownSkew = spread(c6.get("start_late_ms"), c6.get("start_core_wait_ms"));
        assertThat(ownSkew).as("start skew %.2f ms less the waits for a core; late %s, waited %s", skew, c6.get("start_late_ms"),
                c6.get("start_core_wait_ms")).isBetween(0.0, 5.0);
        List<RequestRecord> records;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(run.resolve("requests.jsonl.gz")))) {
            records = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(l -> Json.read(l, RequestRecord.class)).toList();
        }
        Histogram all = Histograms.create();
        records.stream().filter(r -> r.origin().stepId().equals(c6.get("step_id").asText()) && r.measured() && r.ok()).forEach(r -> all.recordValue(r.times().ttftMicros()));
        assertThat(records).extracting(rec -> rec.origin().workerId()).contains("w1", "w2");
        assertThat(all.getTotalCount()).isEqualTo(c6.at("/ttft_ms/count").asLong());
        assertThat(c6.at("/ttft_ms/p50").asDouble()).isCloseTo(all.getValueAtPercentile(50) / 1000.0, within(1e-9));
        assertThat(c6.at("/ttft_ms/p99").asDouble()).isCloseTo(all.getValueAtPercentile(99) / 1000.0, within(1e-9));
        System.out.printf("multi-host: start skew %.2f ms between w1 and w2, %.2f ms less their hosts' waits for a core (late %s, waited %s)%n",
                skew, ownSkew, c6.get("start_late_ms"), c6.get("start_core_wait_ms"));
    }

    /** Max minus min over the workers of their lateness, less each one's wait for a core when {@code coreWaits} is given. */
    private static double spread(JsonNode late, JsonNode coreWaits) {
        assertThat(late.size()).isEqualTo(2);
        double max = Double.NEGATIVE_INFINITY, min = Double.POSITIVE_INFINITY;
        for (var e : late.properties()) {
            double own = e.getValue().asDouble();
            if (coreWaits != null) {
                assertThat(coreWaits.has(e.getKey())).as("Linux tells each worker its run-queue delay").isTrue();
                own = Math.max(0, own - coreWaits.get(e.getKey()).asDouble());
            }
            max = Math.max(max, own);
            min = Math.min(min, own);
        }
        return max - min;
    }
}
