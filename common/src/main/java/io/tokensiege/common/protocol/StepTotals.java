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
 * @param startLateMicros        how long after the broadcast start instant this worker actually began (its wall clock); null when
 *                               its share was aborted before the instant and never began
 * @param startCoreWaitMicros    of that lateness, how long the worker's host kept its starting thread runnable but off every
 *                               core (Linux run-queue delay, from the thread's wake-up to its start); null where unknown
 * @param health                 how loaded the worker itself was while it ran the step
 * @param connections            how the server treated the worker's connections
 * @param decodingMicrosInWindow sum over all requests of the time each spent between its first token and the end of its decode
 *                               inside the window: divided by the window, how many sequences were decoding at once (Little's law)
 * @param stoppedAfterFailures   the worker stopped its share early because this many requests ended and every one failed
 *                               ({@code failure_flood}); null when the share ran its course
 */
public record StepTotals(long windowStartEpochMicros, long windowMicros, double tokensInWindow, int completedInWindow,
                         int started, int completed, Map<String, Integer> errorsByClass, int cancelledAtEnd,
                         Map<String, byte[]> histograms, long clampedValues, int scheduledInWindow, int notSent, Long startLateMicros, Long startCoreWaitMicros,
                         WorkerHealth health, ConnectionStats connections, long decodingMicrosInWindow, Integer stoppedAfterFailures) {

    /** A share that ran its course. */
    public StepTotals(long windowStartEpochMicros, long windowMicros, double tokensInWindow, int completedInWindow, int started, int completed,
                      Map<String, Integer> errorsByClass, int cancelledAtEnd, Map<String, byte[]> histograms, long clampedValues, int scheduledInWindow,
                      int notSent, Long startLateMicros, Long startCoreWaitMicros, WorkerHealth health, ConnectionStats connections,
                      long decodingMicrosInWindow) {
        this(windowStartEpochMicros, windowMicros, tokensInWindow, completedInWindow, started, completed, errorsByClass, cancelledAtEnd, histograms,
                clampedValues, scheduledInWindow, notSent, startLateMicros, startCoreWaitMicros, health, connections, decodingMicrosInWindow, null);
    }

    /**
     * Sustained load, not a moment's: one GC pause or a burst at the step's start is not saturation.
     *
     * @param eventLoopDelayP90Micros p90 lateness of the 100 ms probes on the worker's event loops: time its own callbacks waited
     * @param meanCpuShare            the JVM's CPU time over the step divided by wall time and cores (0..1)
     * @param gcMillis                time the worker's JVM spent in garbage collection during the step
     * @param sendLateP99Micros       steps with a schedule (open loop, trace at its pace): p99 of how late the worker itself sent a
     *                                measured arrival, from the instant it could go (its intended time, or the moment a slot under the
     *                                cap, the arrival ahead of it or its session's previous turn let it) to the hand-over to the HTTP
     *                                client; null without a schedule
     * @param sendLateMaxMicros       the largest of those; null without a schedule
     */
    public record WorkerHealth(long eventLoopDelayP90Micros, double meanCpuShare, long gcMillis, Long sendLateP99Micros, Long sendLateMaxMicros) {
        public static final WorkerHealth UNKNOWN = new WorkerHealth(0, 0, 0);
        /** A worker whose own callbacks ran this late, or whose process used this much of the machine, may have been the limit. */
        public static final long CLIENT_BOUND_DELAY_MICROS = 20_000;
        public static final double CLIENT_BOUND_CPU = 0.90;

        /** A closed loop's health: no schedule to be late for. */
        public WorkerHealth(long eventLoopDelayP90Micros, double meanCpuShare, long gcMillis) {
            this(eventLoopDelayP90Micros, meanCpuShare, gcMillis, null, null);
        }

        /**
         * The worker, not the server, may have limited the step: its delays would look like the server's ({@code client_bound}).
         * Sends are judged at p99, not p90: every late send is in that request's {@code ttft_intended}, so a stall that
         * held one arrival in a hundred already moves the tail the report prints.
         */
        public boolean clientBound() {
            return eventLoopDelayP90Micros > CLIENT_BOUND_DELAY_MICROS || meanCpuShare > CLIENT_BOUND_CPU || sentLate();
        }

        /** Whether the worker's own lateness in sending scheduled arrivals reached the tail ({@link #clientBound}). */
        public boolean sentLate() {
            return sendLateP99Micros != null && sendLateP99Micros > CLIENT_BOUND_DELAY_MICROS;
        }
    }
}
