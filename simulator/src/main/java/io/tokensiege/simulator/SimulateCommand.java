package io.tokensiege.simulator;

import io.tokensiege.simulator.http.SimulatorServer;
import io.tokensiege.simulator.http.WriteLag;
import io.tokensiege.simulator.profile.Profile;
import io.tokensiege.simulator.profile.Profiles;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tokensiege simulate}: the simulator as a standalone OpenAI-compatible server. */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = "Run a simulated OpenAI-compatible inference server (every number it produces is simulated).")
public final class SimulateCommand implements Callable<Integer> {
    private static final long LAG_CHECK_MILLIS = 10_000;

    @Option(names = "--profile", defaultValue = "moe-35b-a3b", description = "Built-in profile: ${COMPLETION-CANDIDATES}",
            completionCandidates = ProfileNames.class)
    String profile;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", defaultValue = "8000", description = "Port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--speed", defaultValue = "1", description = "Simulated-time speed-up; 20 runs 20x faster than real time (default: ${DEFAULT-VALUE}).")
    double speed;

    @Option(names = "--set", description = "Override a profile field, e.g. --set engine.slots=8 --set faults.error500_share=0.05 "
            + "--set server.personality=llama.cpp --set server.context_tokens=4096 --set tools.support=reject --set engine.kv_capacity_tokens=32768")
    Map<String, String> overrides = new LinkedHashMap<>();

    @Override
    public Integer call() throws Exception {
        Map<String, Object> typed = new LinkedHashMap<>();
        overrides.forEach((k, v) -> typed.put(k, parseScalar(v)));
        Profile p = Profiles.load(profile, typed);
        Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true)); // epoll on Linux, NIO elsewhere
        SimulatorServer server = SimulatorServer.start(vertx, p, host, port, speed).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        System.out.printf("SIMULATED %s server '%s' (%s) serving model '%s' on http://%s:%d/v1 at speed %sx%n",
                p.server().personality().label(), p.name(), p.description(), p.model(), host, server.port(), speed);
        System.out.println("Ground truth: GET /sim/requests; settings: GET /sim/profile. Ctrl-C to stop.");
        vertx.setPeriodic(LAG_CHECK_MILLIS, id -> warnIfBehind(server));
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
        stop.await();
        server.close();
        return 0;
    }

    /** A simulator that falls behind its own schedule no longer behaves like its profile: say so, loudly. */
    private static void warnIfBehind(SimulatorServer server) {
        WriteLag.Interval last = server.writeLag().interval();
        if (last.fellBehind()) {
            System.err.printf(Locale.ROOT, "WARNING: the simulator wrote tokens late (p99 %.0f ms behind its schedule over the last %d s, %,d tokens): "
                    + "this machine cannot keep up, so its timings describe an overloaded simulator, not the profile. "
                    + "Use fewer streams, --speed 1, or a host of its own.%n", last.p99Ms(), LAG_CHECK_MILLIS / 1000, last.tokens());
        }
    }

    static Object parseScalar(String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            try {
                return Double.parseDouble(v);
            } catch (NumberFormatException e2) {
                return v.equals("true") || v.equals("false") ? Boolean.parseBoolean(v) : v;
            }
        }
    }

    static final class ProfileNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Profiles.BUILT_IN.iterator();
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new SimulateCommand()).execute(args));
    }
}
