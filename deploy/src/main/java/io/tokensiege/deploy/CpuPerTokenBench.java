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
import java.nio.file.Files;
import java.nio.file.Path;
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
 * process's user and kernel time over the measured window (/proc/self/stat), divided by the tokens received in it.
 * Also the worker's TTFT bias: its TTFT minus the simulator's own (request received to first token written), per request.
 */
final class CpuPerTokenBench {
    private static final int SIMULATOR_CPU = 1;
    private static final int MAX_TOKENS = 100;
    private static final long WARM_UP_SECONDS = 5;

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
        List<long[]> cpuSamples = Collections.synchronizedList(new ArrayList<>()); // {epoch µs, user ns, kernel ns}
        Thread sampler = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    long[] cpu = processCpuNanos();
                    cpuSamples.add(new long[] {EpochMicros.now(), cpu[0], cpu[1]});
                    TimeUnit.MILLISECONDS.sleep(100); // a sample clock, not a synchronisation
                }
            } catch (InterruptedException | IOException stop) {
                // the step is over
            }
        }, "cpu-sampler");
        sampler.setDaemon(true);
        try {
            // JIT and connection warm-up: an unmeasured step first, so compiling the hot path is not counted per token
            BenchStep.run(vertx, BenchStep.closedStep(port, streams, WARM_UP_SECONDS * 1000L), streams, m -> {}, () -> {});
            StepFinished f = BenchStep.run(vertx, BenchStep.closedStep(port, streams, seconds * 1000L), streams, m -> {}, sampler::start);
            sampler.interrupt();
            long from = f.totals().windowStartEpochMicros();
            long to = from + f.totals().windowMicros();
            long[] first = null;
            long[] last = null;
            synchronized (cpuSamples) {
                for (long[] s : cpuSamples) {
                    if (s[0] >= from && first == null) first = s;
                    if (s[0] <= to) last = s;
                }
            }
            if (first == null || last == null || last[0] <= first[0]) throw new IllegalStateException("no CPU samples inside the measured window");
            double share = (last[0] - first[0]) / (double) f.totals().windowMicros(); // of the window's tokens, those between the samples
            double tokens = f.totals().tokensInWindow() * share;
            double userUs = (last[1] - first[1]) / 1e3 / tokens;
            double kernelUs = (last[2] - first[2]) / 1e3 / tokens;
            List<Double> bias = ttftBiasMs(port, f.records());
            System.out.printf(Locale.ROOT, "  tokensiege worker: %.1f µs of CPU per token (%.1f user, %.1f kernel), %,.0f tok/s received; "
                            + "TTFT minus the simulator's own, over %,d requests: p50 %.3f ms, p99 %.3f ms%n",
                    userUs + kernelUs, userUs, kernelUs, f.totals().tokensInWindow() / (f.totals().windowMicros() / 1e6), bias.size(),
                    percentile(bias, 50), percentile(bias, 99));
        } finally {
            sampler.interrupt();
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    private static void floor(int port, int streams, int seconds) throws Exception {
        try (MinimalStreamReader reader = new MinimalStreamReader(port, streams, MAX_TOKENS)) {
            reader.readUntil(System.nanoTime() + TimeUnit.SECONDS.toNanos(WARM_UP_SECONDS));
            long tokensBefore = reader.tokens;
            long[] before = processCpuNanos();
            long start = System.nanoTime();
            reader.readUntil(start + TimeUnit.SECONDS.toNanos(seconds));
            long[] after = processCpuNanos();
            double window = (System.nanoTime() - start) / 1e9;
            long tokens = reader.tokens - tokensBefore;
            double userUs = (after[0] - before[0]) / 1e3 / tokens;
            double kernelUs = (after[1] - before[1]) / 1e3 / tokens;
            System.out.printf(Locale.ROOT, "  minimal reader (the floor): %.1f µs of CPU per token (%.1f user, %.1f kernel), %,.0f tok/s received%n",
                    userUs + kernelUs, userUs, kernelUs, tokens / window);
        }
    }

    /** Per measured, successful request: the worker's TTFT minus the simulator's own for the same request, in ms. */
    private static List<Double> ttftBiasMs(int port, List<RequestRecord> records) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/sim/requests")).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
        Map<Long, Long> serverTtftMicros = new HashMap<>();
        for (JsonNode t : Json.MAPPER.readTree(r.body()).path("requests")) {
            if (t.has("server_ttft_micros")) serverTtftMicros.put(t.get("id").asLong(), t.get("server_ttft_micros").asLong());
        }
        List<Double> bias = new ArrayList<>();
        for (RequestRecord rec : records) {
            if (!rec.measured() || !rec.ok() || rec.ttftMicros() == null || rec.serverId() == null) continue;
            Long server = serverTtftMicros.get(Long.parseLong(rec.serverId().substring("chatcmpl-sim-".length())));
            if (server != null) bias.add((rec.ttftMicros() - server) / 1000.0);
        }
        Collections.sort(bias);
        return bias;
    }

    private static double percentile(List<Double> sorted, double p) {
        return sorted.isEmpty() ? Double.NaN : sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * p / 100)));
    }

    /** This process's {user, kernel} CPU time in ns, from /proc/self/stat (clock ticks of 10 ms on Linux). */
    private static long[] processCpuNanos() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // after "pid (comm) ": state is field 3
        long tickNanos = 10_000_000L; // USER_HZ is 100 on Linux
        return new long[] {Long.parseLong(fields[11]) * tickNanos, Long.parseLong(fields[12]) * tickNanos};
    }
}
