package io.tokensiege.deploy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code tokensiege} command in a child JVM (the launcher's own main), for tests that signal, kill or starve it. Its
 * stdout and stderr go to {@code <name>.log} and {@code <name>.err}; {@link #close()} kills it if it still runs.
 *
 * <p>A process started in the background by a non-interactive shell ignores SIGINT, and the JVM then honours that (it does
 * not catch an ignored signal): a Ctrl-C test would test nothing. So the child is started through perl, which resets
 * SIGINT and SIGTERM to their defaults and execs the JVM in place (same pid), as a terminal would have them.
 */
final class ChildJvm implements AutoCloseable {
    private final Process process;
    private final Path out;
    private final Path err;
    private final String name;

    private ChildJvm(String name, Process process, Path out, Path err) {
        this.name = name;
        this.process = process;
        this.out = out;
        this.err = err;
    }

    static ChildJvm start(Path dir, String name, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/perl"))) cmd.addAll(List.of("/usr/bin/perl", "-e", "$SIG{INT}=$SIG{TERM}='DEFAULT'; exec @ARGV or die \"exec: $!\""));
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-Dhazelcast.phone.home.enabled=false", "-Dhazelcast.logging.type=slf4j", "-Dtokensiege.log=INFO",
                "-cp", System.getProperty("java.class.path"), "io.tokensiege.deploy.Tokensiege"));
        cmd.addAll(List.of(args));
        Path out = dir.resolve(name + ".log");
        Path err = dir.resolve(name + ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        return new ChildJvm(name, p, out, err);
    }

    long pid() {
        return process.pid();
    }

    String out() throws IOException {
        return Files.exists(out) ? Files.readString(out) : "";
    }

    String err() throws IOException {
        return Files.exists(err) ? Files.readString(err) : "";
    }

    /** Waits, bounded, for {@code text} on its stdout or stderr (polling files another process writes: no event to wait on). */
    void awaitOutput(String text, long seconds) throws Exception {
        awaitOutput(text, 1, seconds);
    }

    /** Waits, bounded, until {@code text} appeared {@code times} times on its stdout and stderr together. */
    void awaitOutput(String text, int times, long seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            String all = out() + err();
            int seen = 0;
            for (int i = all.indexOf(text); i >= 0; i = all.indexOf(text, i + 1)) seen++;
            if (seen >= times) return;
            if (!process.isAlive()) break;
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new AssertionError(name + " never printed '" + text + "' (alive: " + process.isAlive() + ")\n--- stdout\n" + out() + "\n--- stderr\n" + err());
    }

    /** Sends a signal by name ("INT", "TERM", "KILL") with the system's kill(1). */
    void signal(String signal) throws Exception {
        int rc = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start().waitFor();
        if (rc != 0) throw new AssertionError("kill -" + signal + " " + process.pid() + " failed with " + rc);
    }

    /** The exit code, waiting at most {@code seconds}. */
    int awaitExit(long seconds) throws Exception {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError(name + " still running after " + seconds + " s\n--- stdout\n" + out() + "\n--- stderr\n" + err());
        }
        return process.exitValue();
    }

    boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
