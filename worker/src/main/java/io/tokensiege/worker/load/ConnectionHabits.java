package io.tokensiege.worker.load;

import io.tokensiege.common.protocol.ConnectionStats;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a server did with one worker's connections during a step, counted over all its lanes (each
 * lane's {@link ServerConnections} reports here from its own event loop), and the step-wide decision to stop
 * reusing connections once the server is seen closing them after each response.
 */
final class ConnectionHabits {
    private final LongAdder connects = new LongAdder();
    private final LongAdder prewarmed = new LongAdder();
    private final LongAdder reused = new LongAdder();
    private final LongAdder staleRetries = new LongAdder();
    private final LongAdder closedAfterResponse = new LongAdder();
    private final LongAdder idleClosed = new LongAdder();
    private final AtomicLong minIdleCloseMillis = new AtomicLong(-1);
    private final LongAdder connectionCloseHeaders = new LongAdder();
    private final LongAdder closeDelimited = new LongAdder();
    private volatile String keepAliveHeader;
    private volatile boolean perRequest;

    ConnectionHabits(boolean perRequestFromStart) {
        this.perRequest = perRequestFromStart;
    }

    boolean perRequest() {
        return perRequest;
    }

    void switchToPerRequest() {
        perRequest = true;
    }

    void connected() {
        connects.increment();
    }

    void prewarmed() {
        prewarmed.increment();
    }

    void reused() {
        reused.increment();
    }

    void staleRetry() {
        staleRetries.increment();
    }

    void closedAfterResponse() {
        closedAfterResponse.increment();
    }

    void idleClosed(long idleMillis) {
        idleClosed.increment();
        minIdleCloseMillis.accumulateAndGet(idleMillis, (a, b) -> a < 0 ? b : Math.min(a, b));
    }

    /** Headers of a response: what it says about its connection. */
    void response(String connectionHeader, String keepAlive, boolean closeDelimitedBody) {
        if (connectionHeader != null && connectionHeader.toLowerCase(java.util.Locale.ROOT).contains("close")) connectionCloseHeaders.increment();
        if (keepAlive != null) keepAliveHeader = keepAlive.length() > 100 ? keepAlive.substring(0, 100) : keepAlive;
        if (closeDelimitedBody) closeDelimited.increment();
    }

    ConnectionStats snapshot() {
        return new ConnectionStats(connects.sum(), prewarmed.sum(), reused.sum(), staleRetries.sum(), closedAfterResponse.sum(), idleClosed.sum(),
                minIdleCloseMillis.get(), connectionCloseHeaders.sum(), closeDelimited.sum(), keepAliveHeader, perRequest);
    }
}
