package io.tokensiege.deploy;

import io.tokensiege.common.protocol.IntervalSnapshot;
import io.tokensiege.common.protocol.ProtocolCodec;
import io.tokensiege.common.protocol.RecordChunk;
import io.tokensiege.common.protocol.StepFinished;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Does a worker's heap stay flat over a long step? One closed-loop step of {@code minutes} against the in-process
 * simulator, and once a minute the heap used right after a full GC, beside the requests ended so far: a heap that
 * held each finished request would grow with them. The simulator runs in a JVM of its own ({@link ChildSimulator}),
 * so the figure is the worker's alone. The explicit GC pauses the step once a minute; the figure is memory, not latency.
 */
final class HeapBench {
    private static final long MB = 1 << 20;
    /** Where the simulator is pinned when the machine has a second core (as for the CPU bench). */
    private static final int SIMULATOR_CPU = 1;

    private HeapBench() {}

    static void run(int streams, int minutes, int tokensPerSecond) throws Exception {
        ChildSimulator sim = ChildSimulator.start(streams, tokensPerSecond, SIMULATOR_CPU);
        Vertx workerVertx = Vertxes.create();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        AtomicLong ended = new AtomicLong();
        AtomicLong chunks = new AtomicLong();
        AtomicLong largestChunkBytes = new AtomicLong();
        ScheduledExecutorService minutely = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "heap-bench");
            t.setDaemon(true);
            return t;
        });
        try {
            System.out.printf(Locale.ROOT, "heap over one %d-minute step at %,d streams (max heap %,d MB):%n", minutes, streams, memory.getHeapMemoryUsage().getMax() / MB);
            long[] minute = {0};
            StepFinished f = BenchStep.run(workerVertx, BenchStep.closedStep(sim.port, streams, minutes * 60_000L), streams, m -> {
                if (m instanceof IntervalSnapshot s) ended.addAndGet(s.completed());
                if (m instanceof RecordChunk c) {
                    chunks.incrementAndGet();
                    largestChunkBytes.accumulateAndGet(ProtocolCodec.encode(c).getBytes(StandardCharsets.UTF_8).length, Math::max);
                }
            }, () -> minutely.scheduleAtFixedRate(() -> print(memory, minute[0]++, ended.get()), 0, 1, TimeUnit.MINUTES));
            minutely.shutdownNow();
            System.gc();
            System.out.printf(Locale.ROOT, "  step end : heap used after GC %,6d MB, with the step's %,d records assembled in this JVM (the coordinator's part)%n",
                    memory.getHeapMemoryUsage().getUsed() / MB, f.records().size());
            System.out.printf(Locale.ROOT, "step done: %,d records back in %,d chunks, the largest %,d KB encoded (at most %,d KB each once sealed)%n",
                    f.records().size(), chunks.get(), largestChunkBytes.get() >> 10, io.tokensiege.common.protocol.ChunkPacker.MAX_WIRE_BYTES >> 10);
        } finally {
            minutely.shutdownNow();
            sim.close();
            workerVertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    private static void print(MemoryMXBean memory, long minute, long requestsEnded) {
        System.gc(); // a full collection: what is left is what the process holds, not garbage not yet collected
        System.out.printf(Locale.ROOT, "  minute %2d: heap used after GC %,6d MB, %,9d measured requests ended%n", minute, memory.getHeapMemoryUsage().getUsed() / MB,
                requestsEnded);
    }
}
