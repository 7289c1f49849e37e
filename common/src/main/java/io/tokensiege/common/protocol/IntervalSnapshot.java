package io.tokensiege.common.protocol;

import java.util.Map;

/**
 * One second of a worker's measurements: per-metric histograms of measured requests that completed in the
 * interval (compressed HdrHistogram encoding, keyed by {@code Metric.key()}, for the hlog), and what a live view
 * needs, which does not wait for requests to end. The coordinator merges snapshots of all workers by their
 * interval's end.
 *
 * @param tokenEvents        token-carrying events every request of the step received in the interval (fillers and
 *                           requests begun earlier included): the server's output as the client saw it
 * @param completed          measured requests that ended in the interval
 * @param errors             of those, failed ones
 * @param inFlight           requests sent and not ended, at the interval's end
 * @param firstTokenTtfts    TTFT of every request whose first token arrived in the interval, µs (encoded histogram; null when none)
 * @param awaitingFirstToken of the requests in flight, those without a first token yet (waiting for the server)
 * @param queued             open loop: arrivals waiting client-side for the in-flight cap
 * @param tokensPerEvent     output tokens per token event so far in the step, from the usage of the requests that ended with
 *                           one (a server may send several tokens in one event); 1 until one has. Events times this is the
 *                           live output rate in tokens, as the step's own figure weighs them
 */
public record IntervalSnapshot(String runId, String stepId, String workerId, long intervalStartEpochMillis, long intervalEndEpochMillis,
                               Map<String, byte[]> histograms, long tokenEvents, int completed, int errors, int inFlight,
                               byte[] firstTokenTtfts, int awaitingFirstToken, int queued, double tokensPerEvent)
        implements ToCoordinator {

    /** A snapshot whose events carry one token each. */
    public IntervalSnapshot(String runId, String stepId, String workerId, long intervalStartEpochMillis, long intervalEndEpochMillis,
                            Map<String, byte[]> histograms, long tokenEvents, int completed, int errors, int inFlight,
                            byte[] firstTokenTtfts, int awaitingFirstToken, int queued) {
        this(runId, stepId, workerId, intervalStartEpochMillis, intervalEndEpochMillis, histograms, tokenEvents, completed, errors, inFlight,
                firstTokenTtfts, awaitingFirstToken, queued, 1.0);
    }

    /** The interval's output in tokens: its events, weighed by what ended requests' usage said each carried. */
    public double outputTokens() {
        return tokenEvents * (tokensPerEvent > 0 ? tokensPerEvent : 1.0);
    }
}
