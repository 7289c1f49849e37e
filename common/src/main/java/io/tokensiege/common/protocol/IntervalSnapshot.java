package io.tokensiege.common.protocol;

import java.util.Map;

/**
 * One second of a worker's measurements: per-metric histograms of requests that completed in the
 * interval (compressed HdrHistogram encoding, keyed by {@code Metric.key()}), and counters.
 * The coordinator merges snapshots of all workers by {@code intervalStartEpochMillis}.
 */
public record IntervalSnapshot(String runId, String stepId, String workerId, long intervalStartEpochMillis, long intervalEndEpochMillis,
                               Map<String, byte[]> histograms, long tokenEvents, int completed, int errors, int inFlight)
        implements ToCoordinator {}
