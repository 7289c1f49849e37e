package io.tokensiege.common.protocol;

import java.util.Map;

/**
 * A worker's totals for its share of a step.
 *
 * @param windowStartEpochMicros measurement window start (wall clock, for alignment across workers)
 * @param windowMicros           measurement window length
 * @param tokensInWindow         output tokens whose events arrived inside the window (usage-weighted)
 * @param completedInWindow      requests that ended inside the window
 * @param errorsByClass          failed requests by {@code ErrorClass.key()}
 * @param cancelledAtEnd         requests still in flight when the step's drain bound ran out
 * @param histograms             step-total histograms per metric (measured requests only)
 * @param clampedValues          values above the histogram range, clamped and counted here
 * @param scheduledInWindow      OPEN steps: arrivals whose intended time fell in the window
 * @param notSent                OPEN steps: of those, arrivals not sent because the in-flight cap was reached
 * @param startLateMicros        how long after the broadcast start instant this worker actually began (its wall clock)
 */
public record StepTotals(long windowStartEpochMicros, long windowMicros, double tokensInWindow, int completedInWindow,
                         int started, int completed, Map<String, Integer> errorsByClass, int cancelledAtEnd,
                         Map<String, byte[]> histograms, long clampedValues, int scheduledInWindow, int notSent, long startLateMicros) {}
