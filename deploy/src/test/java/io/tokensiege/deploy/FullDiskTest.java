package io.tokensiege.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk is never silent: a small tmpfs as a local run's data folder, and as a worker's {@code --data}. Every write that
 * failed is reported (log, failures.jsonl, the client's output) and the exit code is 4; nothing ends at 0 bytes unnoticed.
 * Needs root (to mount); every mount is undone.
 */
class FullDiskTest {
    @TempDir
    Path dir;
    private final List<Path> mounts = new ArrayList<>();
    private final List<ChildJvm> processes = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (ChildJvm p : processes) p.close();
        for (Path m : mounts) {
            if (run("umount", m.toString()) != 0) run("umount", "-l", m.toString()); // lazily, if a file is still open
        }
    }

    /** A tmpfs of {@code kib} KiB with all but {@code freeKib} taken by a filler file, so a run fills the rest. */
    private Path smallDisk(String name, int kib, int freeKib) throws Exception {
        Path m = Files.createDirectories(dir.resolve(name));
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=" + kib + "k", "tmpfs", m.toString()) == 0, "needs root to mount a tmpfs");
        mounts.add(m);
        Files.write(m.resolve("filler"), new byte[(kib - freeKib) * 1024]);
        return m;
    }

    private static int run(String... cmd) throws Exception {
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }

    private ChildJvm launch(String name, String... args) throws Exception {
        ChildJvm p = ChildJvm.start(dir, name, args);
        processes.add(p);
        return p;
    }

    @Test
    @Timeout(180)
    void aLocalRunsFullDataFolder_isReportedEverywhere_andExits4() throws Exception {
        // 136 KiB free: a 64 KiB reserve is set aside, and the first step's hlog, request records and run.json outgrow the rest (at speed 5,
        // a 10 s level lasts 2 s).
        Path disk = smallDisk("local-disk", 512, 136);
        Path plan = dir.resolve("disk.yaml");
        Files.writeString(plan, "name: disk\ntargets:\n  - { name: sim, simulated: { profile: moe-35b-a3b, speed: 5 } }\n"
                + "defaults: { warmup: 0, max_tokens: 50, ramp: 0s }\n"
                + "scenarios:\n  - { name: sweep, prompt: { tokens: 32, unique: true }, load: { concurrency: [8, 16], duration: 10s } }\n");
        ChildJvm run = launch("run", "run", plan.toString(), "--local", "--data", disk.resolve("runs").toString());
        assertThat(run.awaitExit(150)).isEqualTo(4);
        assertThat(run.out()).contains("FAILURE WRITE_FAILED: cannot write ").contains("No space left on device");
        assertThat(run.err()).contains("No space left on device"); // the log

        Path runDir = LocalSignalsTest.onlyRun(disk.resolve("runs"));
        JsonNode json = Json.MAPPER.readTree(runDir.resolve("run.json").toFile());
        assertThat(json.get("status").asText()).as("run.json written with the reserve given back").isEqualTo("failed");
        assertThat(json.get("write_errors").toString()).contains("No space left on device");
        String failures = Files.readString(runDir.resolve("failures.jsonl"));
        assertThat(failures).contains("WRITE_FAILED");
        try (Stream<Path> files = Files.walk(runDir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                if (Files.size(f) == 0) assertThat(failures).as("a 0-byte file is named in a failure").contains(runDir.relativize(f).toString());
            }
        }
    }

    @Test
    @Timeout(300)
    void aWorkersFullDataFolder_reachesTheClient_andExits4() throws Exception {
        Vertx vertx = Vertx.vertx();
        SimulatorServer sim = SimulatorServer.start(vertx, Profiles.load("moe-35b-a3b"), "127.0.0.1", 0, 10).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        try {
            Path disk = smallDisk("worker-disk", 64, 8); // two pages: the worker's first interval log fills them
            String cluster = "disk-" + UUID.randomUUID();
            int clusterPort = ChildJvm.freePort();
            int httpPort = ChildJvm.freePort();
            launch("coordinator", "coordinator", "--port", "" + clusterPort, "--http", "127.0.0.1:" + httpPort, "--data", dir.resolve("runs").toString(),
                    "--cluster-name", cluster, "--worker-timeout", "5").awaitOutput("REST API on", 90);
            launch("worker", "worker", "--join", "127.0.0.1:" + clusterPort, "--name", "w1", "--cluster-name", cluster,
                    "--data", disk.resolve("w1").toString()).awaitOutput("joined", 90);
            Path plan = dir.resolve("plan.yaml");
            Files.writeString(plan, "name: remote\ntargets:\n  - { name: sim, url: \"http://127.0.0.1:" + sim.port() + "/v1\", model: qwen3.6-35b-a3b-4bit }\n"
                    + "defaults: { warmup: 0, max_tokens: 50, ramp: 0s }\n"
                    + "scenarios:\n  - { name: sweep, prompt: { tokens: 32, unique: true }, load: { concurrency: [8], duration: 10s } }\n"); // full within 5 s
            ChildJvm client = launch("client", "run", plan.toString(), "--coordinator", "http://127.0.0.1:" + httpPort);
            assertThat(client.awaitExit(150)).isEqualTo(4);
            assertThat(client.out()).contains("FAILURE WRITE_FAILED: worker w1: cannot write its local copy").contains("No space left on device");
            JsonNode json = Json.MAPPER.readTree(LocalSignalsTest.onlyRun(dir.resolve("runs")).resolve("run.json").toFile());
            assertThat(json.get("status").asText()).isEqualTo("failed");
            assertThat(json.get("failures").toString()).contains("WRITE_FAILED").contains("\"worker_id\":\"w1\"");
        } finally {
            sim.close();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
