package io.tokensiege.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.collection.ItemEvent;
import com.hazelcast.collection.ItemListener;
import com.hazelcast.core.HazelcastInstance;
import io.tokensiege.common.cluster.ClusterNames;
import io.tokensiege.common.json.Json;
import io.tokensiege.common.protocol.AssignStep;
import io.tokensiege.common.protocol.Envelope;
import io.tokensiege.common.protocol.EpochMicros;
import io.tokensiege.common.protocol.MessageSigner;
import io.tokensiege.common.protocol.ProtocolCodec;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.protocol.StartStep;
import io.tokensiege.common.protocol.WorkerHello;
import io.tokensiege.simulator.http.SimulatorServer;
import io.tokensiege.simulator.profile.Profiles;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attacks of the hardening issue, replayed against real JVMs on loopback. The intruder is a
 * Hazelcast client that knows the cluster name (all the open-source edition asks of a client) but not
 * the token: it captures, replays, and drains. Where a test needs a message only the token can sign
 * (a stale or reordered one), it forges it with the token, standing in for a delayed or reordered delivery.
 */
@Timeout(240)
class ClusterAttackTest {
    private static final String TOKEN = "attack-test-token-0123456789abcdef";
    private static final String API_KEY = "sk-attack-test-key-5f1e2d3c4b";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** The intruder's polls on a drained queue. */
    private static final int DRAINERS = 4;
    @TempDir
    Path dir;
    private Jvms jvms;
    private Vertx vertx;
    private SimulatorServer sim;
    private String cluster;
    private int clusterPort;
    private int httpPort;
    private Path tokenFile;
    private final List<HazelcastInstance> intruders = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        sim = SimulatorServer.start(vertx, Profiles.load("moe-35b-a3b"), "127.0.0.1", 0, 20).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        cluster = "attack-" + UUID.randomUUID();
        clusterPort = Jvms.freePort();
        httpPort = Jvms.freePort();
        tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, TOKEN);
        jvms = new Jvms(dir);
    }

    @AfterEach
    void stop() throws Exception {
        intruders.forEach(HazelcastInstance::shutdown);
        jvms.close();
        sim.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private void coordinator() throws Exception {
        jvms.launch(List.of(), Map.of("TS_ATTACK_API_KEY", API_KEY), "coordinator", "coordinator", "--port", "" + clusterPort, "--http", "127.0.0.1:" + httpPort,
                "--data", dir.resolve("runs").toString(), "--cluster-name", cluster, "--token-file", tokenFile.toString(), "--worker-timeout", "5",
                "--allow-key-env", "TS_ATTACK_API_KEY");
        jvms.awaitLog("coordinator", "REST API on");
    }

    private Process worker(String name) throws Exception {
        return jvms.launch(name, "worker", "--join", "127.0.0.1:" + clusterPort, "--name", name, "--cluster-name", cluster, "--token-file", tokenFile.toString(),
                "--data", dir.resolve(name + "-data").toString());
    }

    /** A stranger's Hazelcast client: it knows the cluster name, not the token. */
    private HazelcastInstance intruder() {
        ClientConfig config = new ClientConfig();
        config.setClusterName(cluster);
        config.getNetworkConfig().addAddress("127.0.0.1:" + clusterPort);
        HazelcastInstance client = HazelcastClient.newHazelcastClient(config);
        intruders.add(client);
        return client;
    }

    /** Records every item offered to a queue (the listener sees items even when someone else takes them). */
    private static List<String> capture(HazelcastInstance client, String queue) {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        client.<String>getQueue(queue).addItemListener(new ItemListener<>() {
            @Override
            public void itemAdded(ItemEvent<String> e) {
                seen.add(e.getItem());
            }

            @Override
            public void itemRemoved(ItemEvent<String> e) {}
        }, true);
        return seen;
    }

    private static String last(List<String> wires, Predicate<Object> kind) {
        synchronized (wires) {
            for (int i = wires.size() - 1; i >= 0; i--) {
                if (kind.test(decode(Envelope.unverifiedBody(wires.get(i))))) return wires.get(i);
            }
        }
        throw new AssertionError("no such message among " + wires.size() + " captured");
    }

    private static Object decode(String body) {
        try {
            return ProtocolCodec.decodeToWorker(body);
        } catch (IllegalArgumentException toTheCoordinator) {
            return ProtocolCodec.decodeToCoordinator(body);
        }
    }

    private CliRun run(String planYaml) throws Exception {
        Path plan = dir.resolve("plan-" + UUID.randomUUID() + ".yaml");
        Files.writeString(plan, planYaml);
        return CliRun.of("run", plan.toString(), "--coordinator", "http://127.0.0.1:" + httpPort, "--token-file", tokenFile.toString());
    }

    /** A run with nothing against it must succeed; when it does not, the message shows what the run, the coordinator and the worker said. */
    private void assertSucceeds(CliRun r) throws Exception {
        assertThat(r.code()).as("exit code of a plain run; it printed:%n%s%nthe coordinator's log:%n%s%nw1's log:%n%s", r.output(), jvms.log("coordinator"),
                jvms.log("w1")).isZero();
    }

    private String plan(String levels, String duration) {
        return "name: attack\ntargets:\n  - { name: sim, url: \"http://127.0.0.1:" + sim.port() + "/v1\", model: qwen3.6-35b-a3b-4bit, api_key_env: TS_ATTACK_API_KEY }\n"
                + "defaults: { warmup: 1, max_tokens: 40, max_plausible_decode_tok_s: 100000 }\n"
                + "scenarios:\n  - { name: sweep, prompt: { tokens: 32, unique: true }, load: { concurrency: [" + levels + "], duration: " + duration + " } }\n";
    }

    private JsonNode firstRunJson() throws Exception {
        try (var s = Files.list(dir.resolve("runs"))) {
            Path run = s.filter(Files::isDirectory).sorted().findFirst().orElseThrow();
            return Json.MAPPER.readTree(run.resolve("run.json").toFile());
        }
    }

    @Test
    void capturedCommands_replayedToAWorker_areRefused_asAreStaleAndOutOfOrderOnes_andNoSecretIsInTheCluster() throws Exception {
        coordinator();
        HazelcastInstance intruder = intruder();
        List<String> toWorker = capture(intruder, ClusterNames.toWorker("w1"));
        List<String> toCoordinator = capture(intruder, ClusterNames.TO_COORDINATOR);
        worker("w1");
        jvms.awaitLog("w1", "joined");
        assertSucceeds(run(plan("2", "2s")));

        String assign = last(toWorker, m -> m instanceof AssignStep);
        String start = last(toWorker, m -> m instanceof StartStep);
        assertThat(((AssignStep) ProtocolCodec.decodeToWorker(Envelope.unverifiedBody(assign))).sealedApiKey()).isNotNull(); // the key was in play
        int requestsBefore = sim.groundTruth().all().size();
        var queue = intruder.<String>getQueue(ClusterNames.toWorker("w1"));
        queue.offer(assign);
        queue.offer(start);
        jvms.awaitLog("w1", "refused a command (AssignStep): replayed");
        jvms.awaitLog("w1", "refused a command (StartStep): replayed");

        Envelope.Header h = Envelope.unverifiedHeader(start);
        StartStep message = (StartStep) ProtocolCodec.decodeToWorker(Envelope.unverifiedBody(start));
        SecretBox box = new SecretBox(TOKEN);
        queue.offer(Envelope.seal(box, new Envelope.Header(h.from(), h.fromSession(), h.to(), h.toSession(), h.seq() + 1_000_000,
                EpochMicros.now() - 60_000_000, MessageSigner.randomId()), message));
        jvms.awaitLog("w1", "refused a command (StartStep): stale: issued ");
        // 60 s, give or take the delivery and the measured clock offset the worker corrects by
        assertThat(jvms.log("w1")).containsPattern("stale: issued (60|61) s ago, more than the 30 s allowed");
        queue.offer(Envelope.seal(box, new Envelope.Header(h.from(), h.fromSession(), h.to(), h.toSession(), 1, EpochMicros.now(), MessageSigner.randomId()),
                message));
        jvms.awaitLog("w1", "refused a command (StartStep): out of order: sequence 1 from coordinator");
        assertThat(sim.groundTruth().all()).as("requests after the replays").hasSize(requestsBefore);

        // What travelled through the cluster, and what the processes logged, holds neither the token nor the API key.
        List<String> everything = new ArrayList<>(toWorker);
        everything.addAll(toCoordinator);
        assertThat(everything).isNotEmpty().noneMatch(w -> w.contains(TOKEN) || w.contains(API_KEY));
        for (String log : List.of("coordinator", "w1")) assertThat(jvms.log(log)).doesNotContain(TOKEN).doesNotContain(API_KEY);
    }

    @Test
    void aDrainedWorkerQueue_failsTheRunFast_namingTheCause_andTheNextRunIsAccepted() throws Exception {
        coordinator();
        worker("w1");
        jvms.awaitLog("w1", "joined");
        var queue = intruder().<String>getQueue(ClusterNames.toWorker("w1"));
        AtomicBoolean draining = new AtomicBoolean(true);
        AtomicInteger stolen = new AtomicInteger();
        List<String> drainErrors = Collections.synchronizedList(new ArrayList<>());
        // Several long polls: an item goes to one of the polls waiting on the queue (Hazelcast queues its waiters, and promises
        // no fairness), and the worker's own poll waits 500 ms at a time. One drainer re-polling every 100 ms mostly waited
        // behind it and, once in ten runs of this class, stole nothing in a whole 60 s step.
        List<Thread> drainers = new ArrayList<>();
        for (int i = 0; i < DRAINERS; i++) {
            Thread drainer = new Thread(() -> {
                while (draining.get()) {
                    try {
                        if (queue.poll(1, TimeUnit.SECONDS) != null) stolen.incrementAndGet();
                    } catch (Exception e) {
                        if (drainErrors.size() < 5) drainErrors.add(e.toString()); // an attacker keeps trying; so does this one
                        if (!draining.get()) return;
                        try {
                            TimeUnit.MILLISECONDS.sleep(100); // paces retries after an error, so a dead client is not a busy loop
                        } catch (InterruptedException stop) {
                            return;
                        }
                    }
                }
            }, "drainer-" + i);
            drainer.start();
            drainers.add(drainer);
        }
        long started = System.nanoTime();
        CliRun drained;
        try {
            drained = run(plan("4", "60s")); // a step of more than a minute: the run must not wait for it
        } finally {
            draining.set(false);
            for (Thread d : drainers) d.join(10_000);
        }
        String seen = String.format("the intruder stole %d command(s) (errors: %s); the run printed:%n%s%nthe coordinator's log:%n%s", stolen.get(), drainErrors,
                drained.output(), jvms.log("coordinator"));
        assertThat(stolen.get()).as("commands stolen; %s", seen).isPositive();
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).as("seconds until the run ended; %s", seen).isLessThan(40);
        assertThat(drained.code()).as("exit code; %s", seen).isEqualTo(4);
        assertThat(firstRunJson().get("failures").toString()).contains("WORKER_LOST").contains("w1").contains("never acknowledged")
                .contains("its queue is being drained by another client");

        jvms.awaitLog("coordinator", "worker w1 joined", 2, 60); // registered again by itself once the queue was left alone
        assertSucceeds(run(plan("2", "2s")));
    }

    @Test
    void aReplayedHelloOfAGoneWorker_makesNoPhantom() throws Exception {
        coordinator();
        HazelcastInstance intruder = intruder();
        List<String> toCoordinator = capture(intruder, ClusterNames.TO_COORDINATOR);
        Process w1 = worker("w1");
        jvms.awaitLog("w1", "joined");
        String hello = last(toCoordinator, m -> m instanceof WorkerHello);
        w1.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        jvms.awaitLog("coordinator", "worker w1 left the cluster");

        var inbox = intruder.<String>getQueue(ClusterNames.TO_COORDINATOR);
        inbox.offer(hello);
        jvms.awaitLog("coordinator", "refused a message from w1: replayed");
        // The same hello with a fresh nonce, as a restarted coordinator (which forgot the nonce) would see it: challenged, never answered.
        Envelope.Header h = Envelope.unverifiedHeader(hello);
        inbox.offer(Envelope.seal(new SecretBox(TOKEN), new Envelope.Header(h.from(), h.fromSession(), h.to(), h.toSession(), h.seq() + 1_000_000, EpochMicros.now(),
                MessageSigner.randomId()), ProtocolCodec.decodeToCoordinator(Envelope.unverifiedBody(hello))));
        jvms.awaitLog("coordinator", "worker w1 did not answer its join challenge within 5 s: not admitted");

        String workers = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/api/workers")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        for (JsonNode w : Json.MAPPER.readTree(workers).get("workers")) assertThat(w.get("alive").asBoolean()).as(w.toString()).isFalse();
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/api/runs")).header("content-type", "application/yaml")
                .POST(HttpRequest.BodyPublishers.ofString(plan("2", "2s"))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(409);
        assertThat(r.body()).contains("no worker has joined");
    }

    @Test
    void aTokenlessCoordinator_keepsItsTokenPrivate_andRefusesCrossSitePosts_andSymlinksOutOfItsData() throws Exception {
        Path runs = Files.createDirectories(dir.resolve("runs"));
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("run.json"), "{\"plan\":\"outside\",\"status\":\"finished\"}");
        Files.writeString(outside.resolve("report.html"), "<html><body>secret from outside the data folder</body></html>");
        Files.createSymbolicLink(runs.resolve("20260101-000000-escape"), outside);
        jvms.launch("coordinator", "coordinator", "--port", "" + clusterPort, "--http", "127.0.0.1:" + httpPort, "--data", runs.toString(), "--cluster-name", cluster);
        jvms.awaitLog("coordinator", "REST API on");

        Path generated = dir.resolve(".tokensiege").resolve("loopback-" + clusterPort + ".token");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(generated))).isEqualTo("rw-------");
        String token = Files.readString(generated).strip();
        assertThat(token).hasSizeGreaterThanOrEqualTo(32).isNotEqualTo("tokensiege-loopback-only-no-token");
        assertThat(jvms.log("coordinator")).contains(generated.toString()).doesNotContain(token);

        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/api/runs"))
                .header("content-type", "text/plain").header("origin", "http://evil.example")
                .POST(HttpRequest.BodyPublishers.ofString(plan("2", "2s"))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(403);
        assertThat(post.body()).contains("cross-site request refused");
        HttpResponse<String> report = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/runs/20260101-000000-escape/report.html"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(report.statusCode()).isEqualTo(404);
        assertThat(report.body()).doesNotContain("secret from outside");
        try (var listing = Files.list(runs)) {
            assertThat(listing.toList()).as("no run was started").hasSize(1);
        }
    }
}
