package io.tokensiege.common.analysis;

import java.util.List;

/**
 * Where one target × scenario sweep collapses and why.
 *
 * @param collapseLevel     first level (streams, or req/s for an open loop) that broke a rule, or null when every level held
 * @param rule              {@code throughput_stopped_scaling}, {@code cache_collapse}, {@code slo_breached}, {@code errors},
 *                          {@code no_successful_requests} (the level had none) or {@code not_judged} (the level was partial: cut short
 *                          by a lost worker, an abort or a timeout)
 * @param usableConcurrency largest level meeting the SLO (every level below it too), or null if none
 * @param parallelism       sequences the server decodes at once at the top level (see {@link KneeFinder})
 * @param line              one sentence for the summary and the console
 * @param levels            per-level evidence, in order
 * @param why               what broke at the collapse level, in words; null without a collapse
 * @param cacheGaveOutAt    agent sessions: the first level where the server's prefix cache gave out ({@link CacheCollapse}),
 *                          whatever broke first; null when it held or there were no sessions
 * @param cacheWhy          what showed it, in words
 */
public record Collapse(String target, String scenario, Double collapseLevel, String rule, Double usableConcurrency,
                       Double parallelism, String line, List<Level> levels, String why, Double cacheGaveOutAt, String cacheWhy) {

    /**
     * Evidence at one level: scaling efficiency vs level 1, Little's-law concurrency (successes completed per second × their
     * mean end-to-end time: one population on both sides), active sequences, and the server's own median prompt time where it reports one (flat while TTFT grows: requests wait for a slot).
     */
    public record Level(double level, double aggregateTokS, double ttftP50Ms, double ttftP95Ms, double decodeP50TokS,
                        double errorRate, Double scalingEfficiency, Double littlesLawInFlight, Double activeSequences, List<String> sloBreaches,
                        Double serverPromptMsP50) {}
}
