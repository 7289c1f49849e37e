package io.tokensiege.deploy;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Real tokensiege JVMs for tests: each started from this test's classpath (the launcher's own main), its
 * output in {@code DIR/NAME.log}, its home folder in DIR (where a token-less coordinator leaves this
 * machine's token), and every one killed by {@link #close()}.
 */
public final class Jvms implements AutoCloseable {
    private final Path dir;
    private final List<Process> processes = new ArrayList<>();

    public Jvms(Path dir) {
        this.dir = dir;
    }

    Process launch(String name, String... args) throws IOException {
        return launch(List.of(), Map.of(), name, args);
    }

    /** @param prefix a command to run java under (e.g. {@code ip netns exec NS}); env added to this JVM's environment */
    public Process launch(List<String> prefix, Map<String, String> env, String name, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-Duser.home=" + dir,
                "-Dhazelcast.phone.home.enabled=false", "-Dhazelcast.logging.type=slf4j", "-Dtokensiege.log=INFO",
                "-cp", System.getProperty("java.class.path"), "io.tokensiege.deploy.Tokensiege"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    public String log(String name) throws IOException {
        Path log = dir.resolve(name + ".log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    void awaitLog(String name, String text) throws Exception {
        awaitLog(name, text, 1, 60);
    }

    /** Waits, bounded, until {@code text} occurs {@code times} times in a process's log: processes print what they did. */
    void awaitLog(String name, String text, int times, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (occurrences(log(name), text) >= times) return;
            TimeUnit.MILLISECONDS.sleep(50); // polling a file another process writes: no event to wait on
        }
        throw new AssertionError(name + " did not print '" + text + "' " + times + " time(s) within " + seconds + " s:\n" + log(name));
    }

    static int occurrences(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) n++;
        return n;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Sends a POSIX signal (STOP, CONT, ...) to a process this test started. */
    static void signal(Process p, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(p.pid())).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) throw new AssertionError("kill -" + signal + " " + p.pid() + " failed");
    }

    @Override
    public void close() throws Exception {
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            signalQuietly(p, "CONT"); // a stopped JVM must run again to die cleanly
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void signalQuietly(Process p, String signal) {
        try {
            if (p.isAlive()) new ProcessBuilder("kill", "-" + signal, String.valueOf(p.pid())).start().waitFor(5, TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // best effort: destroyForcibly follows
        }
    }
}
