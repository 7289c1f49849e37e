package io.tokensiege.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.common.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A target that accepts TCP connections and never answers: the run ends in bounded time, names the target as what did not
 * answer, and never calls it good (it used to end with "MEETS the SLO" and exit 0, after barrier timeouts that blamed the
 * workers).
 */
class BlackHoleTargetTest {
    @TempDir
    Path dir;
    private ServerSocket hole;

    @AfterEach
    void close() throws IOException {
        if (hole != null) hole.close();
    }

    /** Accepts every connection and reads from it forever, answering nothing. */
    private int blackHole() throws IOException {
        hole = new ServerSocket(0);
        Thread acceptor = new Thread(() -> {
            while (!hole.isClosed()) {
                try {
                    Socket s = hole.accept();
                    Thread reader = new Thread(() -> {
                        try (s; InputStream in = s.getInputStream()) {
                            while (in.read(new byte[4096]) >= 0) {
                                // swallow the request, say nothing
                            }
                        } catch (IOException closed) {
                            // the client gave up
                        }
                    });
                    reader.setDaemon(true);
                    reader.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }, "black-hole");
        acceptor.setDaemon(true);
        acceptor.start();
        return hole.getLocalPort();
    }

    @Test
    @Timeout(240)
    void aTargetThatNeverAnswers_endsInBoundedTime_isNamed_andNeverMeetsTheSlo() throws Exception {
        int port = blackHole();
        Path plan = dir.resolve("hole.yaml");
        Files.writeString(plan, "name: hole\ntargets:\n  - { name: hole, url: \"http://127.0.0.1:" + port + "/v1\", model: m }\n"
                + "defaults: { warmup: 1, max_tokens: 50, timeouts: { first_token: 3s, total: 10s } }\n"
                + "scenarios:\n  - { name: sweep, prompt: { tokens: 32, unique: true }, load: { concurrency: [1, 2, 4], duration: 2s } }\n"
                + "slo: { ttft_p50: 1s }\n");
        Path runs = dir.resolve("runs");
        long started = System.nanoTime();
        try (ChildJvm run = ChildJvm.start(dir, "run", "run", plan.toString(), "--local", "--data", runs.toString())) {
            int code = run.awaitExit(180);
            long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
            String out = run.out();
            assertThat(code).as("exit code (3: the target fails; never 0)\n" + out).isEqualTo(3);
            assertThat(seconds).as("a 3 s first-token timeout: bounded by the probes and the warm-up").isLessThan(120);
            // The warm-up is where the target first says nothing: it is named there, and no measured step is run against it.
            // the wait as measured: the 3 s timeout, give or take a late timer on a loaded machine
            assertThat(out).containsPattern(java.util.regex.Pattern.quote("TARGET_SILENT: target 'hole' (http://127.0.0.1:" + port
                            + "/v1) answered none of the 1 request sent: no response within ") + "3\\.[0-9] s"
                            + java.util.regex.Pattern.quote(", connections open in step s001-hole-warmup; its remaining steps are skipped"))
                    .contains("**hole**: NOT MEASURED").doesNotContain("MEETS").doesNotContain("NaN");
            JsonNode json = Json.MAPPER.readTree(LocalSignalsTest.onlyRun(runs).resolve("run.json").toFile());
            assertThat(json.get("status").asText()).isEqualTo("finished"); // the run did what it could; the target failed
            assertThat(json.get("steps")).isEmpty();
            assertThat(json.get("failures").toString()).contains("TARGET_SILENT");
            assertThat(json.at("/servers/hole/unanswered").asText()).contains("connection accepted, no complete answer within 5 s");
        }
    }
}
