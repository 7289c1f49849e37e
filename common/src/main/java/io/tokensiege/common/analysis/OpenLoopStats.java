package io.tokensiege.common.analysis;

/**
 * What an open-loop step did against what it was asked to do, in the target's own time.
 *
 * @param requestedRate    arrivals per second the plan asked for
 * @param achievedRate     requests actually sent per second inside the window (whenever they were due: an arrival held past the
 *                         window by the in-flight cap is not in it)
 * @param scheduled        arrivals whose intended time fell inside the window
 * @param notSent          of those, not sent because the in-flight cap was reached (counted, never dropped silently)
 * @param lagP50Ms         schedule lag (send - intended), median
 * @param ttftIntendedMs   TTFT from the intended start: what a user arriving on schedule waited
 * @param e2eIntendedP50Ms end-to-end latency from the intended start, median
 */
public record OpenLoopStats(double requestedRate, double achievedRate, int scheduled, int notSent, double lagP50Ms, double lagP99Ms,
                            Percentiles ttftIntendedMs, double e2eIntendedP50Ms) {}
