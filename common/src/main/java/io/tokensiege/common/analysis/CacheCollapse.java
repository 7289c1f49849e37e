package io.tokensiege.common.analysis;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Agent sessions: where the server's prefix cache gave out as sessions grew, read two ways.
 * <ul>
 *   <li>By time: warm turns (they carry a conversation the server has seen) became about as slow as cold ones,
 *       where at the first level they were much faster.</li>
 *   <li>By the server's own count: the cached share of warm prompts fell to less than half of what it was at the
 *       first level, and warm turns got slower with it. This catches a server whose cache hits were never much faster
 *       than a cold prefill (restoring the cache costs nearly as much), where the time signal cannot show the loss.</li>
 * </ul>
 * Without a cached-token count from the server only the first reading applies; with one, the first applies only where
 * the count fell too (turns that all wait for a slot read alike while the cache still works).
 */
public final class CacheCollapse {
    /** Warm turns this close to cold ones mean the server stopped reusing the conversations' prefixes. */
    static final double WARM_AS_COLD = 0.8;
    /** ...where at the first level warm turns were at most this share of cold ones (the cache worked there). */
    static final double WARM_WHEN_CACHED = 0.5;
    /** A cached share this high at the first level means the server reused the conversations there. */
    static final double SHARE_WHEN_CACHED = 0.5;
    /** The share fell below this part of the first level's. */
    static final double SHARE_LOST = 0.5;
    /** ...and warm turns got at least this much slower than at the first level. */
    static final double WARM_SLOWDOWN = 1.5;

    private CacheCollapse() {}

    /** Why the cache gave out at {@code level} compared with {@code base} (the sweep's first level), if it did. */
    static Optional<String> at(StepResult base, StepResult level) {
        AgentView b = base.agents();
        AgentView a = level.agents();
        if (base == level || b == null || a == null || b.warmTtftMs() == null || a.warmTtftMs() == null) return Optional.empty();
        boolean counted = b.warmCachedShare() != null && a.warmCachedShare() != null;
        boolean shareLost = counted && b.warmCachedShare() >= SHARE_WHEN_CACHED && a.warmCachedShare() < SHARE_LOST * b.warmCachedShare();
        // Where the server counts its cache hits, a share that held overrules the times: warm and cold turns that both wait for
        // a slot read alike while the cache still works (97% -> 96% was called a collapse).
        boolean byTime = (!counted || shareLost) && b.coldTtftMs() != null && a.coldTtftMs() != null && b.warmTtftMs() <= WARM_WHEN_CACHED * b.coldTtftMs()
                && a.warmTtftMs() >= WARM_AS_COLD * a.coldTtftMs();
        boolean byCount = shareLost && a.warmTtftMs() >= WARM_SLOWDOWN * b.warmTtftMs();
        if (!byTime && !byCount) return Optional.empty();
        String cached = b.warmCachedShare() != null && a.warmCachedShare() != null
                ? String.format(Locale.ROOT, "; the server's cached share of warm prompts fell from %.0f%% to %.0f%%", 100 * b.warmCachedShare(),
                        100 * a.warmCachedShare())
                : "";
        String head = byTime ? "cache collapse: warm turns as slow as cold ones" : "cache collapse: the server stopped reusing the conversations";
        return Optional.of(String.format(Locale.ROOT, "%s (turns 2+ TTFT p50 %s vs turn 1 %s; at %s: %s vs %s)%s", head, SloCheck.ms(a.warmTtftMs()),
                a.coldTtftMs() == null ? "n/a" : SloCheck.ms(a.coldTtftMs()), base.levelLabel(), SloCheck.ms(b.warmTtftMs()),
                b.coldTtftMs() == null ? "n/a" : SloCheck.ms(b.coldTtftMs()), cached));
    }

    /** The first level of a sweep (sorted by level) where the cache gave out, with why. */
    static Optional<Found> first(List<StepResult> levels) {
        for (StepResult r : levels.subList(1, levels.size())) {
            if (SloCheck.unjudged(r).isPresent()) return Optional.empty(); // nothing past a level that cannot be judged
            Optional<String> why = at(levels.get(0), r);
            if (why.isPresent()) return Optional.of(new Found(r.level(), r.levelLabel(), why.get(), change(levels.get(0), r)));
        }
        return Optional.empty();
    }

    /** Where the cache gave out: the level, its label ("8 sessions"), why, and the change in a few words. */
    record Found(double level, String label, String why, String change) {}

    /** "cached share of warm prompts 99% -> 13%, warm TTFT p50 2.3 s -> 20.8 s" (the share when the server counts it). */
    private static String change(StepResult base, StepResult level) {
        AgentView b = base.agents();
        AgentView a = level.agents();
        String ttft = "warm TTFT p50 " + SloCheck.ms(b.warmTtftMs()) + " -> " + SloCheck.ms(a.warmTtftMs());
        if (b.warmCachedShare() == null || a.warmCachedShare() == null) return ttft;
        return String.format(Locale.ROOT, "the server's cached share of warm prompts %.0f%% -> %.0f%%, %s", 100 * b.warmCachedShare(), 100 * a.warmCachedShare(), ttft);
    }

    /**
     * Warm turns that hit the server's cache yet take about as long as cold ones: its cache is no faster than computing
     * the prompt. The "why" of a slow first level, in the server's own counts.
     */
    static Optional<String> slowHits(StepResult r) {
        AgentView a = r.agents();
        if (a == null || a.warmTtftMs() == null || a.coldTtftMs() == null || a.warmCachedShare() == null) return Optional.empty();
        if (a.warmCachedShare() < SHARE_WHEN_CACHED || a.warmTtftMs() < WARM_AS_COLD * a.coldTtftMs()) return Optional.empty();
        return Optional.of(String.format(Locale.ROOT, "; warm turns hit the server's cache (%.0f%% of their prompt tokens) yet take %s against"
                + " %s cold: reusing its cache costs nearly as much as computing the prompt", 100 * a.warmCachedShare(), SloCheck.ms(a.warmTtftMs()),
                SloCheck.ms(a.coldTtftMs())));
    }
}
