package io.tokensiege.deploy;

import io.tokensiege.coordinator.cli.ExitCodes;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) and SIGTERM as "abort": the first one hands its name to the abort action, on a thread of its own, and lets
 * the command end by itself (it writes what was recorded and exits 4, as the README promises). Left to the JVM, either
 * signal would start the shutdown and exit 130 or 143 while the run, or a remote run's load, went on. A second signal quits at
 * once with exit code 4. The previous handlers come back on {@link #close()}.
 *
 * <p>{@code sun.misc.Signal} is the JDK's only way to catch a signal; where it is not available (e.g. {@code -Xrs}), nothing is
 * installed and the JVM's default stays.
 */
final class AbortOnSignal implements AutoCloseable {
    private static final String[] SIGNALS = {"INT", "TERM"};

    private final Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
    private final AtomicInteger received = new AtomicInteger();
    private final PrintStream err;
    private final String doing;
    private final Consumer<String> abort;

    private AbortOnSignal(PrintStream err, String doing, Consumer<String> abort) {
        this.err = err;
        this.doing = doing;
        this.abort = abort;
    }

    /**
     * @param doing what the first signal starts, for the user, e.g. "aborting the run and writing what was recorded"
     * @param abort called once, with the signal's name ("Ctrl-C (SIGINT)", "SIGTERM")
     */
    static AbortOnSignal install(PrintStream err, String doing, Consumer<String> abort) {
        AbortOnSignal a = new AbortOnSignal(err, doing, abort);
        for (String name : SIGNALS) {
            try {
                Signal signal = new Signal(name);
                a.previous.put(signal, Signal.handle(signal, a::handle));
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                LoggerFactory.getLogger(AbortOnSignal.class).debug("cannot catch SIG{}: {}", name, e.getMessage());
            }
        }
        return a;
    }

    /** True when at least one of the signals is caught here. */
    boolean installed() {
        return !previous.isEmpty();
    }

    private void handle(Signal signal) {
        String name = signal.getName().equals("INT") ? "Ctrl-C (SIGINT)" : "SIG" + signal.getName();
        if (received.getAndIncrement() == 0) {
            err.println();
            err.println("tokensiege: " + name + ": " + doing + " (again to quit at once)");
            Thread t = new Thread(() -> abort.accept(name), "abort-on-signal"); // never block the JVM's signal thread
            t.setDaemon(true);
            t.start();
        } else {
            err.println("tokensiege: " + name + " again: quitting now; what was written so far stays where it is");
            err.flush();
            Runtime.getRuntime().halt(ExitCodes.RUN_FAILED);
        }
    }

    @Override
    public void close() {
        previous.forEach((signal, handler) -> {
            try {
                Signal.handle(signal, handler);
            } catch (IllegalArgumentException e) {
                LoggerFactory.getLogger(AbortOnSignal.class).debug("cannot restore SIG{}: {}", signal.getName(), e.getMessage());
            }
        });
    }
}
