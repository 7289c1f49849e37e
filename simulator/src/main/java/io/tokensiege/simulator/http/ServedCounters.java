package io.tokensiege.simulator.http;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Server-wide sums of what the simulator served, in simulated time, for the /metrics endpoints of
 * llama.cpp and vLLM. Each request adds exactly the figures its own {@code timings} and usage report,
 * on the engine thread and before the write that completes the response, so a client that scrapes after
 * its response sees them.
 */
final class ServedCounters {
    /** vLLM's TTFT histogram buckets, in seconds. */
    static final double[] TTFT_BUCKETS_SECONDS = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5,
        5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0};

    final LongAdder promptTokensComputed = new LongAdder(); // uncached prompt tokens prefilled (llama.cpp prompt_n)
    final LongAdder promptTokens = new LongAdder();         // whole prompts, cached part included (vLLM)
    final LongAdder promptSimNanos = new LongAdder();
    final LongAdder generatedTokens = new LongAdder();      // as each token is generated (vLLM)
    final LongAdder predictedTokens = new LongAdder();      // when a request leaves, with its time (llama.cpp)
    final LongAdder predictedSimNanos = new LongAdder();
    final AtomicInteger running = new AtomicInteger();     // holding a slot
    final AtomicInteger waiting = new AtomicInteger();     // queued for a slot
    final LongAdder preemptions = new LongAdder();         // running sequences sent back to the queue for KV memory (vLLM)
    private final AtomicLongArray ttftBucketCounts = new AtomicLongArray(TTFT_BUCKETS_SECONDS.length);
    private final LongAdder ttftSimNanos = new LongAdder();
    private final LongAdder ttftCount = new LongAdder();

    void queued() {
        waiting.incrementAndGet();
    }

    void admitted() {
        waiting.decrementAndGet();
        running.incrementAndGet();
    }

    void preempted() {
        running.decrementAndGet();
        waiting.incrementAndGet();
        preemptions.increment();
    }

    /** A request left the engine (finished or cancelled); {@code wasAdmitted} says which gauge it leaves. */
    void left(boolean wasAdmitted, Timings timings) {
        (wasAdmitted ? running : waiting).decrementAndGet();
        if (timings == null) return;
        predictedTokens.add(timings.predictedN());
        predictedSimNanos.add(timings.predictedNanos());
    }

    void firstToken(Timings prompt, int promptTokensTotal, long ttftNanos) {
        promptTokensComputed.add(prompt.promptN());
        promptTokens.add(promptTokensTotal);
        promptSimNanos.add(prompt.promptNanos());
        double seconds = ttftNanos / 1e9;
        for (int b = 0; b < TTFT_BUCKETS_SECONDS.length; b++) if (seconds <= TTFT_BUCKETS_SECONDS[b]) ttftBucketCounts.incrementAndGet(b);
        ttftSimNanos.add(ttftNanos);
        ttftCount.increment();
    }

    void token() {
        generatedTokens.increment();
    }

    /** Cumulative count of first tokens at or under each bucket bound (Prometheus {@code le}). */
    long[] ttftCumulativeCounts() {
        long[] out = new long[TTFT_BUCKETS_SECONDS.length];
        for (int b = 0; b < out.length; b++) out[b] = ttftBucketCounts.get(b);
        return out;
    }

    double ttftSumSeconds() {
        return ttftSimNanos.sum() / 1e9;
    }

    long ttftCount() {
        return ttftCount.sum();
    }
}
