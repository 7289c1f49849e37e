package io.tokensiege.common.plan;

/**
 * Bounds on what a worker reads from a server for one request, so a hostile or broken server (a line that
 * never ends, an endless error body, 50 MB events) costs that request an error, never the worker's memory.
 *
 * @param maxEventBytes     longest SSE line or event (going over is an {@code oversized} error)
 * @param maxErrorBodyBytes most of an error response's body that is read (the rest is not; the status still classifies it)
 */
public record Limits(int maxEventBytes, int maxErrorBodyBytes) {
    public static final Limits DEFAULT = new Limits(1 << 20, 64 << 10);
}
