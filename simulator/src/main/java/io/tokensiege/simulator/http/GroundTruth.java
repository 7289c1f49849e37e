package io.tokensiege.simulator.http;

import java.util.Arrays;

/**
 * What the simulator knows about one request, stamped with {@link System#nanoTime()} in the
 * simulator's JVM at the moment each write was handed to the connection, plus what its engine did in
 * simulated time (queue wait, prefill until the first token). Tests of the measurement engine compare
 * their client-side numbers against these.
 */
public final class GroundTruth {
    public final long id;
    public final String fault;
    /** The prompt as served (after any truncation). */
    public final int promptTokens;
    /** The prompt as the request had it; larger than {@link #promptTokens} only when the server truncated it. */
    public final int requestedPromptTokens;
    public final long receivedNanos;
    volatile long admittedNanos;
    volatile long headersNanos;
    volatile int cachedTokens;
    volatile long queueWaitSimNanos = -1;
    volatile long promptSimNanos = -1;
    private long[] tokenFlushNanos;
    private int tokens;
    volatile long endNanos;
    volatile String outcome = "in_flight";
    private final java.util.List<Integer> preemptedAfterTokens = new java.util.ArrayList<>();
    volatile long pausedSimNanos;
    volatile String toolCallId;
    volatile String toolCallName;
    volatile boolean toolCallMalformed;
    volatile String answeredToolCallId;

    GroundTruth(long id, String fault, int promptTokens, int requestedPromptTokens, int maxTokens, long receivedNanos) {
        this.id = id;
        this.fault = fault;
        this.promptTokens = promptTokens;
        this.requestedPromptTokens = requestedPromptTokens;
        this.receivedNanos = receivedNanos;
        this.tokenFlushNanos = new long[Math.min(maxTokens, 4096)];
    }

    synchronized void token(long nanos) {
        if (tokens == tokenFlushNanos.length) tokenFlushNanos = Arrays.copyOf(tokenFlushNanos, tokens * 2);
        tokenFlushNanos[tokens++] = nanos;
    }

    public synchronized long[] tokenFlushNanos() {
        return Arrays.copyOf(tokenFlushNanos, tokens);
    }

    public synchronized int tokens() {
        return tokens;
    }

    public long firstTokenNanos() {
        long[] t = tokenFlushNanos();
        return t.length == 0 ? -1 : t[0];
    }

    /** When the response headers and role chunk went to the socket (streaming only). */
    public long headersNanos() {
        return headersNanos;
    }

    public long admittedNanos() {
        return admittedNanos;
    }

    public int cachedTokens() {
        return cachedTokens;
    }

    /** Simulated ms from joining the engine's queue to getting a slot; -1 until it got one. */
    public double queueWaitMs() {
        long n = queueWaitSimNanos;
        return n < 0 ? -1 : n / 1e6;
    }

    /** Simulated ms from getting a slot to the first token (llama.cpp's {@code prompt_ms}); -1 until then. */
    public double promptMs() {
        long n = promptSimNanos;
        return n < 0 ? -1 : n / 1e6;
    }

    public long endNanos() {
        return endNanos;
    }

    public String outcome() {
        return outcome;
    }

    synchronized void preempted(int afterTokens) {
        preemptedAfterTokens.add(afterTokens);
    }

    /** Times the engine preempted this request for KV memory (its stream paused, and it recomputed). */
    public synchronized int preemptions() {
        return preemptedAfterTokens.size();
    }

    /** For each preemption, the tokens it had generated then: its stream paused after that many. */
    public synchronized java.util.List<Integer> preemptedAfterTokens() {
        return java.util.List.copyOf(preemptedAfterTokens);
    }

    /** Simulated ms its preemptions kept it out of the engine (from each preemption to its readmission). */
    public double pausedMs() {
        return pausedSimNanos / 1e6;
    }

    /** The id of the tool call it was answered with, or null for a content answer. */
    public String toolCallId() {
        return toolCallId;
    }

    /** The function it called, or null for a content answer. */
    public String toolCallName() {
        return toolCallName;
    }

    /** The {@code tool_call_id} of the tool message that ended this request's prompt (a follow-up), or null. */
    public String answeredToolCallId() {
        return answeredToolCallId;
    }

    /** Its call's arguments were deliberately not valid JSON. */
    public boolean toolCallMalformed() {
        return toolCallMalformed;
    }
}
