package io.tokensiege.deploy;

import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The bench's simulator in a JVM of its own, so the client's CPU is measured apart from the server's; pinned to
 * {@code cpu} with {@code taskset} where the machine has it. Stopped by {@link #close()}, or when this JVM exits (its
 * standard input closes).
 */
final class ChildSimulator implements AutoCloseable {
    private final Process process;
    final int port;
    final boolean pinned;

    private ChildSimulator(Process process, int port, boolean pinned) {
        this.process = process;
        this.port = port;
        this.pinned = pinned;
    }

    /** A bench simulator ({@link BenchStep#startSimulator}) with {@code slots} slots at {@code tokensPerSecond} per stream. */
    static ChildSimulator start(int slots, int tokensPerSecond, int cpu) throws IOException {
        List<String> command = new ArrayList<>();
        boolean pinned = Files.isExecutable(Path.of("/usr/bin/taskset")) && cpuExists(cpu);
        if (pinned) command.addAll(List.of("/usr/bin/taskset", "-c", String.valueOf(cpu)));
        command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
                ChildSimulator.class.getName(), String.valueOf(slots), String.valueOf(tokensPerSecond)));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line = out.readLine(); // "port N" once it listens; null if it died
        if (line == null || !line.startsWith("port ")) {
            p.destroyForcibly();
            throw new IOException("the bench simulator did not start (it printed: " + line + ")");
        }
        return new ChildSimulator(p, Integer.parseInt(line.substring(5).trim()), pinned);
    }

    private static boolean cpuExists(int cpu) {
        return Files.isDirectory(Path.of("/sys/devices/system/cpu/cpu" + cpu));
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
    }

    /** The child's entry: slots and tokens per second; prints "port N", serves until its standard input closes. */
    public static void main(String[] args) throws Exception {
        Vertx vertx = Vertxes.create();
        var sim = BenchStep.startSimulator(vertx, Integer.parseInt(args[0]), Integer.parseInt(args[1]));
        System.out.println("port " + sim.port());
        System.out.flush();
        while (System.in.read() >= 0) {
            // the parent holds our standard input open for as long as it wants us
        }
        sim.close();
        vertx.close();
        System.exit(0);
    }
}
