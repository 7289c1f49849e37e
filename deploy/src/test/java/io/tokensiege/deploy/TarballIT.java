package io.tokensiege.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs after packaging: the distribution tarball's bin/tokensiege starts a coordinator and a worker that joins it. */
@org.junit.jupiter.api.Timeout(value = 300, unit = java.util.concurrent.TimeUnit.SECONDS)
class TarballIT {
    @TempDir
    Path dir;
    private final List<Process> processes = new ArrayList<>();

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : processes) p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    @Test
    void tarball_startsACoordinatorAndAWorkerThatJoins() throws Exception {
        Path tarball;
        try (var s = Files.list(Path.of("target"))) {
            tarball = s.filter(p -> p.getFileName().toString().matches("tokensiege-.*\\.tar\\.gz")).findFirst().orElseThrow();
        }
        Process untar = new ProcessBuilder("tar", "-xzf", tarball.toAbsolutePath().toString(), "-C", dir.toString()).inheritIO().start();
        assertThat(untar.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Path home;
        try (var s = Files.list(dir)) {
            home = s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        Path bin = home.resolve("bin/tokensiege");
        assertThat(Files.isExecutable(bin)).isTrue();
        assertThat(home.resolve("systemd/tokensiege-worker.service")).exists();
        assertThat(home.resolve("grafana/tokensiege-dashboard.json")).exists();
        assertThat(home.resolve("plans/agent-serving.yaml")).exists();

        String cluster = "it-" + UUID.randomUUID();
        int port = freePort();
        int http = freePort();
        start(dir.resolve("coordinator.log"), bin.toString(), "coordinator", "--port", "" + port, "--http", "127.0.0.1:" + http,
                "--data", dir.resolve("runs").toString(), "--cluster-name", cluster);
        awaitLine(dir.resolve("coordinator.log"), "REST API on");
        start(dir.resolve("worker.log"), bin.toString(), "worker", "--join", "127.0.0.1:" + port, "--name", "tarball-worker", "--cluster-name", cluster,
                "--data", dir.resolve("worker-data").toString());
        awaitLine(dir.resolve("worker.log"), "joined");

        String workers = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/api/workers")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(workers).contains("\"id\":\"tarball-worker\"").contains("\"alive\":true");
    }

    /** Its home is the test folder: a token-less coordinator leaves this machine's token there, not in the real home. */
    private void start(Path log, String... cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("JAVA_OPTS", "-Duser.home=" + log.getParent());
        processes.add(pb.start());
    }

    /** Bounded wait for a process to print a line (it writes its log as it goes; there is no event to wait on). */
    private static void awaitLine(Path log, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains(text)) return;
            TimeUnit.MILLISECONDS.sleep(50);
        }
        throw new AssertionError("no '" + text + "' in " + log + ":\n" + (Files.exists(log) ? Files.readString(log) : ""));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
