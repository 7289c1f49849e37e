package io.tokensiege.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.common.json.Json;
import io.tokensiege.simulator.http.GroundTruth;
import io.tokensiege.simulator.http.SimulatorServer;
import io.tokensiege.simulator.profile.Profiles;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signals across processes: Ctrl-C on the client of a remote run, SIGTERM and SIGKILL to the coordinator. Each leaves the
 * outcome the README promises: the run aborted everywhere (the workers stop loading the target), run.json says so, and
 * every process involved exits 4 with a message that says what happened.
 */
class RemoteSignalsTest {
    @TempDir
    Path dir;
    private final List<ChildJvm> processes = new ArrayList<>();
    private Vertx vertx;
    private SimulatorServer sim;
    private String cluster;
    private int clusterPort;
    private int httpPort;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        sim = SimulatorServer.start(vertx, Profiles.load("moe-35b-a3b"), "127.0.0.1", 0, 10).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        cluster = "signals-" + UUID.randomUUID();
        clusterPort = ChildJvm.freePort();
        httpPort = ChildJvm.freePort();
    }

    @AfterEach
    void stop() throws Exception {
        for (ChildJvm p : processes) p.close();
        sim.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private ChildJvm launch(String name, String... args) throws Exception {
        ChildJvm p = ChildJvm.start(dir, name, args);
        processes.add(p);
        return p;
    }

    /** Coordinator and one worker, joined; then the client submits a 60 s step and the test waits until it streams. */
    private ChildJvm[] clusterWithARunningStep() throws Exception {
        ChildJvm coordinator = launch("coordinator", "coordinator", "--port", "" + clusterPort, "--http", "127.0.0.1:" + httpPort,
                "--data", dir.resolve("runs").toString(), "--cluster-name", cluster, "--worker-timeout", "5");
        coordinator.awaitOutput("REST API on", 90);
        ChildJvm worker = launch("worker", "worker", "--join", "127.0.0.1:" + clusterPort, "--name", "w1", "--cluster-name", cluster,
                "--data", dir.resolve("w1-data").toString());
        worker.awaitOutput("joined", 90);
        Path plan = dir.resolve("plan.yaml");
        Files.writeString(plan, "name: remote\ntargets:\n  - { name: sim, url: \"http://127.0.0.1:" + sim.port() + "/v1\", model: qwen3.6-35b-a3b-4bit }\n"
                + "defaults: { warmup: 1, max_tokens: 100, ramp: 0s }\n"
                + "scenarios:\n  - { name: long, prompt: { tokens: 32, unique: true }, load: { concurrency: [2], duration: 600s } }\n");
        ChildJvm client = launch("client", "run", plan.toString(), "--coordinator", "http://127.0.0.1:" + httpPort);
        client.awaitOutput("live sim / long @2  ", 3, 120); // the measured step has streamed for three seconds
        return new ChildJvm[] {coordinator, worker, client};
    }

    @Test
    @Timeout(300)
    void ctrlCOnTheClient_abortsTheRunOnTheCoordinator_andTheClientExits4() throws Exception {
        ChildJvm[] p = clusterWithARunningStep();
        ChildJvm client = p[2];
        client.signal("INT");
        long abortedAt = System.nanoTime();
        assertThat(client.awaitExit(120)).isEqualTo(4);
        assertThat(client.err()).contains("Ctrl-C (SIGINT): asking the coordinator to abort the run");
        assertThat(client.out()).contains("abort requested (Ctrl-C (SIGINT)): the coordinator is stopping run")
                .contains("ABORTED (terminal): run aborted by DELETE /api/runs/current");
        JsonNode run = runJson();
        assertThat(run.get("status").asText()).isEqualTo("aborted");
        assertThat(run.get("steps").get(0).get("partial").asBoolean()).isTrue();
        assertNoLoadAfter(abortedAt + TimeUnit.SECONDS.toNanos(10));
        assertThat(p[0].alive()).as("the coordinator keeps serving").isTrue();
    }

    @Test
    @Timeout(300)
    void sigtermToTheCoordinator_abortsItsRun_recordsIt_andExits4() throws Exception {
        ChildJvm[] p = clusterWithARunningStep();
        ChildJvm coordinator = p[0];
        coordinator.signal("TERM");
        long stoppedAt = System.nanoTime();
        assertThat(coordinator.awaitExit(120)).isEqualTo(4);
        JsonNode run = runJson();
        assertThat(run.get("status").asText()).isEqualTo("aborted");
        assertThat(run.get("failures").toString()).contains("ABORTED").contains("run aborted by SIGTERM");
        assertThat(run.get("steps").get(0).get("partial_reason").asText()).startsWith("aborted by SIGTERM at +");
        // The client following the run read its end before the coordinator left.
        ChildJvm client = p[2];
        assertThat(client.awaitExit(60)).isEqualTo(4);
        assertThat(client.out()).contains("ABORTED (terminal): run aborted by SIGTERM");
        assertNoLoadAfter(stoppedAt + TimeUnit.SECONDS.toNanos(10));
    }

    @Test
    @Timeout(300)
    void aKilledCoordinator_leavesTheClientAClearMessage_andExit4() throws Exception {
        ChildJvm[] p = clusterWithARunningStep();
        p[0].signal("KILL");
        ChildJvm client = p[2];
        assertThat(client.awaitExit(60)).isEqualTo(4);
        String err = client.err();
        assertThat(err).contains("the coordinator at http://127.0.0.1:" + httpPort + " went away during run ")
                .contains("Last known: live sim / long @2").contains(dir.resolve("runs").toAbsolutePath().toString())
                .doesNotContain("tokensiege: null");
    }

    @Test
    @Timeout(300)
    void theAbortCommand_stopsTheRunInProgress_andThenFindsNoneToStop() throws Exception {
        ChildJvm[] p = clusterWithARunningStep();
        ChildJvm abort = launch("abort", "abort", "--coordinator", "http://127.0.0.1:" + httpPort);
        assertThat(abort.awaitExit(120)).isZero();
        assertThat(abort.out()).contains("aborting run ").contains(" aborted; what it recorded is in ");
        assertThat(p[2].awaitExit(60)).isEqualTo(4);
        assertThat(runJson().get("status").asText()).isEqualTo("aborted");
        ChildJvm again = launch("abort-again", "abort", "--coordinator", "http://127.0.0.1:" + httpPort);
        assertThat(again.awaitExit(60)).isZero();
        assertThat(again.out()).contains("no run in progress");
    }

    /** No request reached the simulator after {@code nanos}: every worker stopped loading it. */
    private void assertNoLoadAfter(long nanos) throws Exception {
        long until = nanos + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < until) TimeUnit.MILLISECONDS.sleep(100); // the window in which a still-running worker would send
        List<GroundTruth> late = sim.groundTruth().all().stream().filter(t -> t.receivedNanos > nanos).toList();
        assertThat(late).as("requests received by the target after the abort settled").isEmpty();
    }

    private JsonNode runJson() throws Exception {
        return Json.MAPPER.readTree(LocalSignalsTest.onlyRun(dir.resolve("runs")).resolve("run.json").toFile());
    }
}
