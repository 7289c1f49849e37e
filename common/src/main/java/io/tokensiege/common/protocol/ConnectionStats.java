package io.tokensiege.common.protocol;

/**
 * How a server treated the worker's HTTP connections during a step, so a report can say what happened
 * ("server closes connections after each stream: 1 connection per request; 412 connects"). Counts are sums
 * over a worker's lanes; {@link #plus} adds two workers'.
 *
 * @param connects               connections opened for requests (each one's connect time is inside that request's ttfb and ttft)
 * @param prewarmed              connections opened before the step started, outside every request
 * @param reusedRequests         requests sent on a connection that had already served a response
 * @param staleRetries           requests that found their reused connection closed before any response byte and went again on a fresh one
 * @param closedAfterResponse    idle connections the server closed right after a response although it had not said so
 * @param idleClosed             idle connections the server closed later (its keep-alive timeout)
 * @param minIdleCloseMillis     the shortest idle time before such a close, or -1
 * @param connectionCloseHeaders responses that carried {@code Connection: close}
 * @param closeDelimitedBodies   responses with neither a length nor chunking, ended by closing the connection (HTTP/1.0 style)
 * @param keepAliveHeader        the server's {@code Keep-Alive} header as last seen, or null
 * @param perRequest             the worker stopped reusing connections: the server closes them after each response
 */
public record ConnectionStats(long connects, long prewarmed, long reusedRequests, long staleRetries, long closedAfterResponse, long idleClosed,
                              long minIdleCloseMillis, long connectionCloseHeaders, long closeDelimitedBodies, String keepAliveHeader,
                              boolean perRequest) {
    public static final ConnectionStats NONE = new ConnectionStats(0, 0, 0, 0, 0, 0, -1, 0, 0, null, false);

    public ConnectionStats plus(ConnectionStats o) {
        if (o == null) return this;
        long minIdle = minIdleCloseMillis < 0 ? o.minIdleCloseMillis : o.minIdleCloseMillis < 0 ? minIdleCloseMillis : Math.min(minIdleCloseMillis, o.minIdleCloseMillis);
        return new ConnectionStats(connects + o.connects, prewarmed + o.prewarmed, reusedRequests + o.reusedRequests, staleRetries + o.staleRetries,
                closedAfterResponse + o.closedAfterResponse, idleClosed + o.idleClosed, minIdle, connectionCloseHeaders + o.connectionCloseHeaders,
                closeDelimitedBodies + o.closeDelimitedBodies, keepAliveHeader != null ? keepAliveHeader : o.keepAliveHeader, perRequest || o.perRequest);
    }
}
