package io.tokensiege.worker.load;

import io.tokensiege.common.metric.RequestRecord;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A step whose requests all fail, fast: a gateway answering 429 or a redirect at once lets a closed loop send thousands
 * a second, every one a record the run must hold, and none measures anything the first thousand did not. After
 * {@link #REQUESTS} ended requests without one success the worker stops its share ({@code failure_flood}); a step with
 * a single success, or with slow failures (timeouts), runs its course.
 */
final class FailureFlood {
    static final int REQUESTS = 1_000;
    private final AtomicInteger ended = new AtomicInteger();
    private final AtomicInteger ok = new AtomicInteger();
    private volatile Integer stoppedAfter;

    /** Counts an ended request (a mixed step's probes and the cancelled aside); true once, when it makes the step a flood. */
    boolean tripsOn(RequestRecord r) {
        if (r.origin().isProbe() || r.outcome().cancelled()) return false;
        if (r.ok()) ok.incrementAndGet();
        if (ended.incrementAndGet() != REQUESTS || ok.get() > 0) return false;
        stoppedAfter = REQUESTS;
        return true;
    }

    /** How many failed requests stopped the share; null when it ran its course. */
    Integer stoppedAfter() {
        return stoppedAfter;
    }
}
