package io.tokensiege.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.common.json.Json;
import io.tokensiege.simulator.http.SimulatorServer;
import io.tokensiege.simulator.profile.Profiles;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Workers and coordinators that go away and come back, as real JVMs on loopback: the cluster mends itself. */
@Timeout(300)
class ClusterRecoveryTest {
    @TempDir
    Path dir;
    private Jvms jvms;
    private Vertx vertx;
    private SimulatorServer sim;
    private String cluster;
    private int clusterPort;
    private int httpPort;
    private Path tokenFile;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        sim = SimulatorServer.start(vertx, Profiles.load("moe-35b-a3b"), "127.0.0.1", 0, 20).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        cluster = "recovery-" + UUID.randomUUID();
        clusterPort = Jvms.freePort();
        httpPort = Jvms.freePort();
        tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, "recovery-test-token-0123456789");
        jvms = new Jvms(dir);
    }

    @AfterEach
    void stop() throws Exception {
        jvms.close();
        sim.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private Process coordinator(String name) throws Exception {
        Process p = jvms.launch(name, "coordinator", "--port", "" + clusterPort, "--http", "127.0.0.1:" + httpPort, "--data", dir.resolve("runs").toString(),
                "--cluster-name", cluster, "--token-file", tokenFile.toString(), "--worker-timeout", "5");
        jvms.awaitLog(name, "REST API on");
        return p;
    }

    private Process worker(String name, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("worker", "--join", "127.0.0.1:" + clusterPort, "--name", name, "--cluster-name", cluster,
                "--token-file", tokenFile.toString(), "--data", dir.resolve(name + "-data").toString()));
        args.addAll(List.of(extra));
        return jvms.launch(name, args.toArray(String[]::new));
    }

    private CliRun run(String levels, String duration) throws Exception {
        Path plan = dir.resolve("plan-" + UUID.randomUUID() + ".yaml");
        Files.writeString(plan, "name: recovery\ntargets:\n  - { name: sim, url: \"http://127.0.0.1:" + sim.port() + "/v1\", model: qwen3.6-35b-a3b-4bit }\n"
                + "defaults: { warmup: 1, max_tokens: 40, max_plausible_decode_tok_s: 100000 }\n"
                + "scenarios:\n  - { name: sweep, prompt: { tokens: 32, unique: true }, load: { concurrency: [" + levels + "], duration: " + duration + " } }\n");
        return CliRun.of("run", plan.toString(), "--coordinator", "http://127.0.0.1:" + httpPort, "--token-file", tokenFile.toString());
    }

    private JsonNode onlyRunJson() throws Exception {
        try (var s = Files.list(dir.resolve("runs"))) {
            List<Path> runs = s.filter(Files::isDirectory).toList();
            assertThat(runs).hasSize(1);
            return Json.MAPPER.readTree(runs.get(0).resolve("run.json").toFile());
        }
    }

    /** Each step's id, shares and partial reason, one per line: what a failing assertion shows of run.json. */
    private static String stepLines(JsonNode run) {
        StringBuilder sb = new StringBuilder();
        for (JsonNode s : run.path("steps")) {
            sb.append("\n  ").append(s.path("step_id").asText()).append(' ').append(s.path("worker_shares"))
                    .append(s.path("partial").asBoolean() ? " PARTIAL: " + s.path("partial_reason").asText() : "");
        }
        return sb.toString();
    }

    @Test
    void aWorkerPausedFor20Seconds_isDeclaredLost_thenRejoins_andIsReadmittedForALaterStep() throws Exception {
        coordinator("coordinator");
        worker("w1");
        Process w2 = worker("w2");
        jvms.awaitLog("w1", "joined");
        jvms.awaitLog("w2", "joined");
        Thread pauser = new Thread(() -> {
            try {
                // Once the first measured level streams on both workers, freeze w2 for 20 s (the pause is the condition under test).
                while (sim.groundTruth().all().stream().filter(t -> t.tokens() > 0).count() < 30) TimeUnit.MILLISECONDS.sleep(20);
                Jvms.signal(w2, "STOP");
                TimeUnit.SECONDS.sleep(20);
                Jvms.signal(w2, "CONT");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        pauser.start();
        CliRun paused = run("2, 3, 4, 5, 6, 7, 8, 9", "3s");
        pauser.join(60_000);
        JsonNode run = onlyRunJson();
        String seen = "the run printed:\n" + paused.output() + "\nrun.json's steps: " + stepLines(run) + "\nfailures: " + run.get("failures")
                + "\nthe coordinator's log:\n" + jvms.log("coordinator") + "\nw2's log (what it refused, and why):\n" + jvms.log("w2");
        assertThat(paused.code()).as("a run that lost a worker measured less than planned; %s", seen).isEqualTo(4);
        assertThat(run.get("status").asText()).as("the run ended on the coordinator too; %s", seen).isEqualTo("failed");

        JsonNode steps = run.get("steps");
        int lostAt = -1;
        for (int i = 0; i < steps.size() && lostAt < 0; i++) {
            if (steps.get(i).path("partial").asBoolean() && steps.get(i).path("partial_reason").asText().contains("w2")) lostAt = i;
        }
        assertThat(lostAt).as("a step partial for w2's loss; %s", seen).isNotNegative();
        boolean readmitted = false;
        for (int i = lostAt + 1; i < steps.size(); i++) readmitted |= steps.get(i).at("/worker_shares/w2").asInt() > 0;
        assertThat(readmitted).as("w2 has a share in a step after the one it was lost in; %s", seen).isTrue();
        assertThat(run.get("failures").toString()).contains("WORKER_LOST").contains("w2");
        assertThat(Jvms.occurrences(jvms.log("coordinator"), "worker w2 joined")).isEqualTo(2);
    }

    /**
     * The dead-man rule end to end: a coordinator frozen mid-step (SIGSTOP) sends nothing, and its worker stops loading the
     * target by itself once 10 s pass without a word, then registers again when the coordinator runs on.
     */
    @Test
    void aCoordinatorPausedMidStep_hasItsWorkerStopTheLoadByItself_andRegisterAgainOnceItResumes() throws Exception {
        Process coordinator = coordinator("coordinator");
        worker("w1");
        jvms.awaitLog("w1", "joined");
        CompletableFuture<CliRun> running = CompletableFuture.supplyAsync(() -> {
            try {
                return run("2", "120s");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (sim.groundTruth().all().stream().filter(t -> t.tokens() > 0).count() < 10 && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20); // polling the simulator's record of what it served: the step is streaming
        }
        assertThat(sim.groundTruth().all()).as("streaming requests before the pause").filteredOn(t -> t.tokens() > 0).hasSizeGreaterThanOrEqualTo(10);
        Jvms.signal(coordinator, "STOP");
        try {
            jvms.awaitLog("w1", "(dead-man rule)", 1, 30); // by the silence, or first by the cluster connection's own heartbeat
            long stoppedBy = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200); // the log is read by polling: a margin for the abort after it
            long drained = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (sim.groundTruth().all().stream().anyMatch(t -> t.endNanos() == 0) && System.nanoTime() < drained) TimeUnit.MILLISECONDS.sleep(20);
            assertThat(sim.groundTruth().all()).as("requests the simulator still serves after the dead-man rule fired").allMatch(t -> t.endNanos() > 0);
            // An absence has no event to wait for: watch the simulator for 2 s, bounded, for any request sent after the worker stopped.
            long watchUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (System.nanoTime() < watchUntil) {
                assertThat(sim.groundTruth().all()).as("requests sent after the worker's dead-man stop").noneMatch(t -> t.receivedNanos > stoppedBy);
                TimeUnit.MILLISECONDS.sleep(50);
            }
        } finally {
            Jvms.signal(coordinator, "CONT");
        }
        jvms.awaitLog("coordinator", "worker w1 joined", 2, 90);
        CliRun ended = running.get(120, TimeUnit.SECONDS);
        assertThat(ended.code()).as("a run whose coordinator stalled measured less than planned; it printed:%n%s", ended.output()).isEqualTo(4);
    }

    @Test
    void afterACoordinatorRestart_workersRegisterAgainByThemselves() throws Exception {
        Process first = coordinator("coordinator");
        worker("w1");
        jvms.awaitLog("w1", "joined");
        first.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        jvms.awaitLog("w1", "lost the coordinator");
        coordinator("coordinator-restarted"); // same address, same token
        jvms.awaitLog("coordinator-restarted", "worker w1 joined", 1, 90);
        CliRun after = run("2", "2s");
        assertThat(after.code()).as("the run printed:\n%s\nthe coordinator's log:\n%s", after.output(), jvms.log("coordinator-restarted")).isZero();
        assertThat(onlyRunJson().at("/steps/0/worker_shares/w1").asInt()).isEqualTo(2);
    }

    @Test
    void aWorkerThatCanReachNoCoordinator_exitsNonZero_afterItsGiveUpTime_sayingWhatItTried() throws Exception {
        Process coordinator = coordinator("coordinator");
        // 15 s, not less: on a loaded CI machine the first join alone can take several seconds
        Process w1 = worker("w1", "--give-up-after", "15");
        jvms.awaitLog("w1", "joined");
        coordinator.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        long killed = System.nanoTime();
        assertThat(w1.waitFor(90, TimeUnit.SECONDS)).as("w1 exits by itself").isTrue();
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - killed)).as("gives up after its 15 s, not at once nor never")
                .isBetween(10L, 60L);
        assertThat(w1.exitValue()).isEqualTo(4);
        assertThat(jvms.log("w1")).contains("127.0.0.1:" + clusterPort).contains("cluster '" + cluster + "'").contains("exiting so a supervisor can restart it");
    }
}
