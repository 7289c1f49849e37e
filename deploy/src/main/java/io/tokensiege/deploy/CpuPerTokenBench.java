package io.tokensiege.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.common.json.Json;
import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.protocol.EpochMicros;
import io.tokensiege.common.protocol.StepFinished;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Client CPU per received token, with the simulator in its own JVM on its own core: tokensiege's worker (a closed loop
 * of 100-token requests, every token parsed, timed and recorded) beside the floor, {@link MinimalStreamReader} on the
 * same requests. Run the bench under {@code taskset -c 0} so the client has core 0 and the simulator core 1. CPU is this
 * process's user and kernel time over the measured window ({@link ProcessCpu}), divided by the tokens received in it,
 * and split by kind of thread. Also each client's TTFT bias: its TTFT minus the simulator's own (request received to
 * first token written), per request; the minimal reader's is the floor of that too.
 */
final class CpuPerTokenBench {
    private static final int SIMULATOR_CPU = 1;
    private static final int MAX_TOKENS = 100;
    /** One warm-up step; the worker gets more of them while the JIT compiler is still busy (it shares the client's core). */
    private static final long WARM_UP_SECONDS = 10;
    private static final int MAX_WARM_UP_STEPS = 8;
    /** The JIT compiler's share of a core below which the client is taken as compiled: what is left is per token. */
    private static final double JIT_QUIET_SHARE = 0.02;
    /** Each sample reads one stat file per thread: twice a second costs the measured client next to nothing. */
    private static final long SAMPLE_MILLIS = 500;

    private CpuPerTokenBench() {}

    static void run(int streams, int tokensPerSecond, int seconds) throws Exception {
        try (ChildSimulator sim = ChildSimulator.start(streams, tokensPerSecond, SIMULATOR_CPU)) {
            System.out.printf(Locale.ROOT, "CPU per token at %,d streams, %d tok/s each; simulator in its own JVM%s, this client on %d core(s)%s%n", streams,
                    tokensPerSecond, sim.pinned ? " pinned to CPU " + SIMULATOR_CPU : " (not pinned: no taskset)", Runtime.getRuntime().availableProcessors(),
                    Runtime.getRuntime().availableProcessors() > 1 ? " (not pinned: run the bench under taskset -c 0)" : "");
            worker(sim.port, streams, seconds);
            floor(sim.port, streams, seconds);
        }
    }

    private static void worker(int port, int streams, int seconds) throws Exception {
        Vertx vertx = Vertxes.create();
        List<Sample> cpuSamples = Collections.synchronizedList(new ArrayList<>());
        Thread sampler = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    cpuSamples.add(new Sample(EpochMicros.now(), ProcessCpu.now()));
                    TimeUnit.MILLISECONDS.sleep(SAMPLE_MILLIS); // a sample clock, not a synchronisation
                }
            } catch (InterruptedException | IOException stop) {
                // the step is over
            }
        }, "cpu-sampler");
        sampler.setDaemon(true);
        try {
            warmUp(vertx, port, streams);
            StepFinished f = BenchStep.run(vertx, BenchStep.closedStep(port, streams, seconds * 1000L), streams, m -> {}, sampler::start);
            sampler.interrupt();
            long from = f.totals().windowStartEpochMicros();
            long to = from + f.totals().windowMicros();
            Sample first = null;
            Sample last = null;
            synchronized (cpuSamples) {
                for (Sample s : cpuSamples) {
                    if (s.epochMicros >= from && first == null) first = s;
                    if (s.epochMicros <= to) last = s;
                }
            }
            if (first == null || last == null || last.epochMicros <= first.epochMicros) throw new IllegalStateException("no CPU samples inside the measured window");
            double share = (last.epochMicros - first.epochMicros) / (double) f.totals().windowMicros(); // of the window's tokens, those between the samples
            double tokens = f.totals().tokensInWindow() * share;
            System.out.printf(Locale.ROOT, "  tokensiege worker: %s, %,.0f tok/s received%n", last.cpu.perTokenSince(first.cpu, tokens),
                    f.totals().tokensInWindow() / (f.totals().windowMicros() / 1e6));
            Map<Long, Long> clientTtft = new HashMap<>();
            for (RequestRecord rec : f.records()) {
                if (!rec.measured() || !rec.ok() || rec.times().ttftMicros() == null || rec.answer().serverId() == null) continue;
                clientTtft.put(Long.parseLong(rec.answer().serverId().substring("chatcmpl-sim-".length())), rec.times().ttftMicros());
            }
            printBias(port, clientTtft);
        } finally {
            sampler.interrupt();
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Unmeasured steps until the JIT compiler goes quiet, so compiling the hot path is not counted per token: on one
     * core it competes with the load, and a single 20 s step still left it compiling through the window.
     */
    private static void warmUp(Vertx vertx, int port, int streams) throws Exception {
        double jitShare = 1;
        int steps = 0;
        while (steps < MAX_WARM_UP_STEPS && jitShare >= JIT_QUIET_SHARE) {
            ProcessCpu before = ProcessCpu.now();
            long start = System.nanoTime();
            BenchStep.run(vertx, BenchStep.closedStep(port, streams, WARM_UP_SECONDS * 1000L), streams, m -> {}, () -> {});
            jitShare = (ProcessCpu.now().byKindNanos().get(ProcessCpu.Kind.JIT) - before.byKindNanos().get(ProcessCpu.Kind.JIT)) / (double) (System.nanoTime() - start);
            steps++;
        }
        System.out.printf(Locale.ROOT, "  warm-up: %d unmeasured step(s) of %d s; the JIT compiler used %.1f %% of a core in the last%s%n", steps, WARM_UP_SECONDS,
                100 * jitShare, jitShare >= JIT_QUIET_SHARE ? " (still compiling: its share below is not per token)" : "");
    }

    private static void floor(int port, int streams, int seconds) throws Exception {
        try (MinimalStreamReader reader = new MinimalStreamReader(port, streams, MAX_TOKENS)) {
            reader.readUntil(System.nanoTime() + TimeUnit.SECONDS.toNanos(WARM_UP_SECONDS));
            long tokensBefore = reader.tokens;
            ProcessCpu before = ProcessCpu.now();
            long start = System.nanoTime();
            reader.timeFirstTokens(true);
            reader.readUntil(start + TimeUnit.SECONDS.toNanos(seconds));
            ProcessCpu after = ProcessCpu.now();
            double window = (System.nanoTime() - start) / 1e9;
            long tokens = reader.tokens - tokensBefore;
            System.out.printf(Locale.ROOT, "  minimal reader (the floor): %s, %,.0f tok/s received%n", after.perTokenSince(before, tokens), tokens / window);
            printBias(port, reader.firstTokenMicros);
        }
    }

    /** A client's TTFT minus the simulator's own (request received to first token written) for the same requests. */
    private static void printBias(int port, Map<Long, Long> clientTtftMicros) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/sim/requests")).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
        List<Double> bias = new ArrayList<>();
        for (JsonNode t : Json.MAPPER.readTree(r.body()).path("requests")) {
            Long client = clientTtftMicros.get(t.get("id").asLong());
            if (client != null && t.has("server_ttft_micros")) bias.add((client - t.get("server_ttft_micros").asLong()) / 1000.0);
        }
        Collections.sort(bias);
        System.out.printf(Locale.ROOT, "    TTFT minus the simulator's own, over %,d requests: p50 %.3f ms, p99 %.3f ms%n", bias.size(), percentile(bias, 50),
                percentile(bias, 99));
    }

    /** The process's CPU so far, sampled at an instant of the wall clock (to cut the step's window out of a series). */
    private record Sample(long epochMicros, ProcessCpu cpu) {}

    private static double percentile(List<Double> sorted, double p) {
        return sorted.isEmpty() ? Double.NaN : sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * p / 100)));
    }
}
