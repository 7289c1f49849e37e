package io.tokensiege.deploy.llama;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real llama.cpp {@code llama-server} for the tests that must meet a real server: it closes connections after
 * every stream, refuses prompts beyond its context, has its own tokenizer and reports its own timings. Found in
 * {@code $TOKENSIEGE_LLAMA_DIR}, else in a {@code shared/llama} folder beside the repository (CI has one); the
 * folder holds the binary and {@code models/{tiny,small}-llama.gguf}. Started on a free loopback port with one
 * thread, stopped by {@link #close()}.
 */
public final class LlamaServer implements AutoCloseable {
    public static final String DIR_VARIABLE = "TOKENSIEGE_LLAMA_DIR";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Process process;
    private final Path log;
    public final int port;
    public final String model;

    private LlamaServer(Process process, Path log, int port, String model) {
        this.process = process;
        this.log = log;
        this.port = port;
        this.model = model;
    }

    /** The folder with the server, or empty with the places looked at (for the one-line skip message). */
    public static Optional<Path> find(List<String> lookedAt) {
        List<Path> candidates = new ArrayList<>();
        String env = System.getenv(DIR_VARIABLE);
        if (env != null && !env.isBlank()) candidates.add(Path.of(env));
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            candidates.add(dir.resolve("shared/llama"));
            if (dir.getParent() != null) candidates.add(dir.getParent().resolve("shared/llama"));
        }
        for (Path c : candidates) {
            lookedAt.add(c.toString());
            if (Files.isExecutable(c.resolve("llama-server")) && Files.isRegularFile(c.resolve("models/small-llama.gguf"))) return Optional.of(c);
        }
        return Optional.empty();
    }

    /** Starts {@code model} ("tiny" or "small") with these flags after the defaults (-t 1 --metrics --offline --no-webui). */
    public static LlamaServer start(Path dir, String model, String... flags) throws IOException, InterruptedException {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(dir.resolve("llama-server").toString(), "-m", dir.resolve("models/" + model + "-llama.gguf").toString(),
                "--alias", model + "-llama", "--host", "127.0.0.1", "--port", String.valueOf(port), "--offline", "--no-webui", "--metrics", "-t", "1"));
        command.addAll(List.of(flags));
        Path log = Files.createTempFile("llama-server", ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        LlamaServer server = new LlamaServer(p, log, port, model + "-llama");
        server.awaitHealthy();
        return server;
    }

    public String url() {
        return "http://127.0.0.1:" + port + "/v1";
    }

    private void awaitHealthy() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new IllegalStateException("llama-server exited with " + process.exitValue() + ": " + tail());
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) return;
            } catch (IOException notYet) {
                // still loading the model
            }
            process.waitFor(100, TimeUnit.MILLISECONDS); // a bounded pause that also notices an early exit
        }
        close();
        throw new IllegalStateException("llama-server did not answer /health within " + START_TIMEOUT.toSeconds() + " s: " + tail());
    }

    private String tail() throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        try {
            Files.deleteIfExists(log);
        } catch (IOException ignored) {
            // a temp file
        }
    }
}
