package io.tokensiege.deploy;

import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.protocol.StepFinished;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.simulator.http.GroundTruth;
import io.tokensiege.simulator.http.SimulatorServer;
import io.tokensiege.worker.sse.ChunkDecoder;
import io.tokensiege.worker.sse.SseParser;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tokensiege bench}: figures, not assertions. (1) SSE parse + chunk decode throughput on one
 * core; (2) for each stream count, a closed-loop step against an in-process simulator (its own
 * Vert.x) streaming at 50 tok/s per stream, comparing every measured TTFT with the simulator's
 * ground truth — the error includes everything between the two (loopback, both event loops, GC).
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks of the load engine against the simulator; prints figures.")
public final class BenchCommand implements Callable<Integer> {
    @Option(names = "--streams", split = ",", defaultValue = "100,1000,2000", description = "Concurrent stream counts of the worker against the simulator; 0 skips them (default: ${DEFAULT-VALUE}).")
    List<Integer> streams;

    @Option(names = "--seconds", defaultValue = "10", description = "Measured seconds per stream count (default: ${DEFAULT-VALUE}).")
    int seconds;

    @Option(names = "--parse-seconds", defaultValue = "5", description = "Seconds of the parse benchmark; 0 skips it (default: ${DEFAULT-VALUE}).")
    int parseSeconds;

    @Option(names = "--merge-workers", defaultValue = "64", description = "Workers whose 1 s snapshots the merge benchmark simulates; 0 skips it (default: ${DEFAULT-VALUE}).")
    int mergeWorkers;

    @Option(names = "--simulator-streams", split = ",", defaultValue = "2000", description = "Stream counts for the simulator's own capacity, with a discarding client; "
            + "0 skips it (default: ${DEFAULT-VALUE}).")
    List<Integer> simulatorStreams;

    @Option(names = "--tokens-per-second", defaultValue = "50", description = "Tokens per second each simulated stream receives (default: ${DEFAULT-VALUE}).")
    int tokensPerSecond;

    @Option(names = "--heap-minutes", defaultValue = "0", description = "Minutes of one long closed-loop step that prints the heap used after a GC "
            + "once a minute; 0 skips it (default: ${DEFAULT-VALUE}).")
    int heapMinutes;

    @Option(names = "--heap-streams", defaultValue = "1000", description = "Streams of the long step of --heap-minutes (default: ${DEFAULT-VALUE}).")
    int heapStreams;

    @Option(names = "--cpu-per-token", split = ",", defaultValue = "0", description = "Stream counts at which to measure the client's CPU per "
            + "received token, tokensiege's worker beside a minimal reader, with the simulator in its own JVM pinned to CPU 1: run the bench under "
            + "'taskset -c 0'; 0 skips it (default: ${DEFAULT-VALUE}).")
    List<Integer> cpuPerTokenStreams;

    @Option(names = "--join", defaultValue = "true", fallbackValue = "true", negatable = true, description = "Measure join-to-ready of a worker on loopback (default: ${DEFAULT-VALUE}).")
    boolean join;

    @Override
    public Integer call() throws Exception {
        System.out.printf("tokensiege bench on %d cores, %s%n", Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"));
        if (parseSeconds > 0) parse();
        if (mergeWorkers > 0) merge(mergeWorkers);
        if (join) join();
        for (int n : simulatorStreams) if (n > 0) SimulatorCapacityBench.run(n, tokensPerSecond, seconds);
        if (heapMinutes > 0) HeapBench.run(heapStreams, heapMinutes, tokensPerSecond);
        for (int n : cpuPerTokenStreams) if (n > 0) CpuPerTokenBench.run(n, tokensPerSecond, seconds);
        Integer largestWithin1ms = null;
        boolean tried = false;
        for (int n : streams) {
            if (n <= 0) continue;
            tried = true;
            double p99 = client(n);
            if (p99 <= 1.0) largestWithin1ms = n;
        }
        if (tried) System.out.println(largestWithin1ms == null ? "no stream count tried kept the p99 TTFT error within 1 ms"
                : "largest stream count tried with p99 TTFT error <= 1 ms: " + largestWithin1ms);
        return 0;
    }

    /**
     * SSE parse + chunk decode on one thread, as a worker lane does it: events of a llama.cpp stream fed in
     * MTU-sized pieces. Reported as CPU time per event (the thread's own, so other processes on the machine do not
     * inflate it) and the rate that makes on one core.
     */
    private void parse() {
        StringBuilder sb = new StringBuilder();
        String prefix = "data: {\"choices\":[{\"finish_reason\":null,\"index\":0,\"delta\":{\"content\":\"";
        String suffix = "\"}}],\"created\":1795867621,\"id\":\"chatcmpl-VQU9gj9Bttws1JeiQXZJEwHgJc77QVdk\",\"model\":\"models/stories260K.gguf\","
                + "\"system_fingerprint\":\"b10108-0a50d990\",\"object\":\"chat.completion.chunk\"}\n\n";
        for (int i = 0; i < 1000; i++) sb.append(prefix).append(" word").append(i % 10).append(suffix);
        byte[] buffer = sb.toString().getBytes(StandardCharsets.UTF_8);
        ChunkDecoder decoder = new ChunkDecoder();
        decoder.wantId(false); // as a worker does once it has the stream's id
        decoder.wantContentText(false); // ...and its answer sample
        long[] chars = {0};
        SseParser parser = new SseParser((data, offset, len, t) -> chars[0] += decoder.decode(data, offset, len).contentChars);
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.min(2, parseSeconds / 2)); // JIT warm-up
        while (System.nanoTime() < warmEnd) feedMtuPieces(parser, buffer);
        long events = 0;
        long cpuStart = cpu.getCurrentThreadCpuTime();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(1, parseSeconds - Math.min(2, parseSeconds / 2)));
        while (System.nanoTime() < end) {
            feedMtuPieces(parser, buffer);
            events += 1000;
        }
        double nsPerEvent = (cpu.getCurrentThreadCpuTime() - cpuStart) / (double) events;
        System.out.printf(Locale.ROOT, "SSE parse + chunk decode: %.0f ns of CPU per event, %,.0f events/s on one core (%d-byte llama.cpp-style events)%n",
                nsPerEvent, 1e9 / nsPerEvent, buffer.length / 1000);
    }

    private static void feedMtuPieces(SseParser parser, byte[] buffer) {
        for (int off = 0; off < buffer.length; off += 1460) parser.feed(buffer, off, Math.min(1460, buffer.length - off), 0);
    }

    /**
     * The coordinator's merge work for {@code workers} workers each sending a 1 s snapshot (every metric,
     * ~500 requests' worth of values): decode + add, timed in CPU time, as a share of one core per second.
     */
    private void merge(int workers) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(1);
        List<Map<String, byte[]>> snapshots = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            Map<String, byte[]> m = new java.util.LinkedHashMap<>();
            for (io.tokensiege.common.metric.Metric metric : io.tokensiege.common.metric.Metric.values()) {
                org.HdrHistogram.Histogram h = io.tokensiege.common.metric.Histograms.create();
                for (int i = 0; i < 500; i++) h.recordValue(1 + r.nextLong(2_000_000));
                m.put(metric.key(), io.tokensiege.common.metric.Histograms.encode(h));
            }
            snapshots.add(m);
        }
        java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
        int rounds = 50;
        long best = Long.MAX_VALUE;
        for (int round = 0; round < rounds; round++) { // the best round: after JIT, without unrelated GC pauses
            long start = cpu.getCurrentThreadCpuTime();
            Map<String, org.HdrHistogram.Histogram> merged = new java.util.HashMap<>();
            for (Map<String, byte[]> s : snapshots) {
                s.forEach((k, v) -> merged.computeIfAbsent(k, x -> io.tokensiege.common.metric.Histograms.create()).add(io.tokensiege.common.metric.Histograms.decode(v)));
            }
            best = Math.min(best, cpu.getCurrentThreadCpuTime() - start);
        }
        System.out.printf(Locale.ROOT, "merge of %d workers' 1 s snapshots (%d metrics each): %.2f ms of CPU = %.2f %% of one core%n",
                workers, io.tokensiege.common.metric.Metric.values().length, best / 1e6, best / 1e7);
    }

    /** Join-to-ready of a worker against a coordinator on loopback: client connect, hello, verified reply. */
    private void join() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String cluster = "bench-" + java.util.UUID.randomUUID();
        var coordinator = new io.tokensiege.coordinator.cluster.ClusterCoordinator(
                new io.tokensiege.coordinator.cluster.ClusterCoordinator.Settings("127.0.0.1", port, cluster, 10), "bench-token-0123456789");
        Vertx vertx = Vertxes.create();
        try {
            long start = System.nanoTime();
            var worker = new io.tokensiege.worker.cluster.ClusterWorker(vertx, new io.tokensiege.worker.cluster.ClusterWorker.Settings(
                    "127.0.0.1:" + port, cluster, "bench-worker", 1, io.tokensiege.common.security.TargetAllowList.ANY, 1000, null, null,
                    io.tokensiege.worker.cluster.ClusterWorker.Settings.DEFAULT_SILENCE_MILLIS, 30_000), "bench-token-0123456789");
            boolean ok = worker.joined().get(30, TimeUnit.SECONDS).accepted();
            System.out.printf(Locale.ROOT, "worker join-to-ready on loopback: %.0f ms (%s)%n", (System.nanoTime() - start) / 1e6, ok ? "accepted" : "refused");
            worker.close();
        } finally {
            coordinator.close();
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static double percentile(List<Double> sorted, double p) {
        return sorted.isEmpty() ? Double.NaN : sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * p / 100)));
    }

    /** Returns the p99 of (measured - ground-truth) TTFT in ms. */
    private double client(int n) throws Exception {
        Vertx simVertx = Vertxes.create();
        Vertx workerVertx = Vertxes.create();
        SimulatorServer sim = BenchStep.startSimulator(simVertx, n, tokensPerSecond);
        try {
            StepSpec step = BenchStep.closedStep(sim, n, seconds * 1000L);
            StepFinished f = BenchStep.run(workerVertx, step, n, m -> {}, () -> sim.writeLag().interval()); // the lag below covers the step only

            List<Double> errors = new ArrayList<>();
            List<Double> requestPaths = new ArrayList<>(); // client send -> simulator handler, ms (one JVM, one clock)
            long epochToNanos = io.tokensiege.common.protocol.EpochMicros.now() * 1000 - System.nanoTime(); // µs, as the worker's stamps
            int failed = 0;
            for (RequestRecord r : f.records()) {
                if (!r.measured()) continue;
                if (!r.ok()) {
                    failed++;
                    continue;
                }
                GroundTruth t = sim.groundTruth().byId(Long.parseLong(r.answer().serverId().substring("chatcmpl-sim-".length())));
                if (t == null || t.firstTokenNanos() < 0) continue;
                errors.add(r.times().ttftMicros() / 1000.0 - (t.firstTokenNanos() - t.receivedNanos) / 1e6);
                requestPaths.add((t.receivedNanos - (r.times().sendEpochMicros() * 1000 - epochToNanos)) / 1e6);
            }
            Collections.sort(errors);
            Collections.sort(requestPaths);
            double window = f.totals().windowMicros() / 1e6;
            // The simulator's own output in the same window (its flush stamps), to tell which side limits.
            long from = f.totals().windowStartEpochMicros() * 1000 - epochToNanos;
            long to = from + f.totals().windowMicros() * 1000;
            long simTokens = sim.groundTruth().all().stream().flatMapToLong(t -> java.util.Arrays.stream(t.tokenFlushNanos()))
                    .filter(x -> x >= from && x < to).count();
            double lagP99Ms = sim.writeLag().interval().p99Ms();
            double p50 = percentile(errors, 50);
            double p99 = percentile(errors, 99);
            System.out.printf(Locale.ROOT, "%,6d streams: simulator wrote %,.0f tok/s, worker received %,.0f tok/s (expected %,d at %d tok/s each; "
                            + "simulator write lag p99 %.1f ms), %d measured requests, %d errors%s; TTFT error (measured - simulator truth) p50 %.3f ms, p99 %.3f ms; "
                            + "of it, request path (send to simulator handler) p50 %.3f ms, p99 %.3f ms%n",
                    n, simTokens / window, f.totals().tokensInWindow() / window, n * tokensPerSecond, tokensPerSecond,
                    lagP99Ms, errors.size(), failed,
                    f.totals().errorsByClass().isEmpty() ? "" : " " + f.totals().errorsByClass(), p50, p99,
                    percentile(requestPaths, 50), percentile(requestPaths, 99));
            return Double.isNaN(p99) ? Double.MAX_VALUE : p99;
        } finally {
            sim.close();
            workerVertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            simVertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }
}
