package io.tokensiege.simulator.http;

import java.util.Arrays;

/**
 * What the simulator knows about one request, stamped with {@link System#nanoTime()} in the
 * simulator's JVM at the moment each write was handed to the connection. Tests of the measurement
 * engine compare their client-side numbers against these.
 */
public final class GroundTruth {
    public final long id;
    public final String fault;
    public final int promptTokens;
    public final long receivedNanos;
    volatile long admittedNanos;
    volatile long headersNanos;
    volatile int cachedTokens;
    private long[] tokenFlushNanos;
    private int tokens;
    volatile long endNanos;
    volatile String outcome = "in_flight";

    GroundTruth(long id, String fault, int promptTokens, int maxTokens, long receivedNanos) {
        this.id = id;
        this.fault = fault;
        this.promptTokens = promptTokens;
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

    public long endNanos() {
        return endNanos;
    }

    public String outcome() {
        return outcome;
    }
}
