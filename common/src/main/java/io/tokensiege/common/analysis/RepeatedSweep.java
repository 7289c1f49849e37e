package io.tokensiege.common.analysis;

import io.tokensiege.common.plan.Slo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A sweep run with {@code repeat: N} is judged on every repeat, not on the first alone: one run cannot say where a
 * server collapses any more than it can call a 5 % difference. The answer is the most cautious repeat's (the lowest
 * usable level, then the earliest collapse), so a sweep meets the SLO at a level only if it did so every time; its
 * line says whether the repeats agreed, and where each one collapsed when they did not.
 */
public final class RepeatedSweep {
    /** Least usable first (none at all before any level), then the earliest collapse (none after every level). */
    private static final Comparator<Collapse> MOST_CAUTIOUS = Comparator
            .comparing((Collapse c) -> c.usableConcurrency() == null ? Double.NEGATIVE_INFINITY : c.usableConcurrency())
            .thenComparing(c -> c.collapseLevel() == null ? Double.POSITIVE_INFINITY : c.collapseLevel());

    private RepeatedSweep() {}

    /** {@code steps}: every level of one target's sweep, of every repeat. */
    public static Collapse judge(List<StepResult> steps, Slo slo) {
        Map<Integer, List<StepResult>> byRepeat = new TreeMap<>();
        for (StepResult r : steps) byRepeat.computeIfAbsent(r.identity().repeat(), k -> new ArrayList<>()).add(r);
        if (byRepeat.size() == 1) return KneeFinder.find(steps, slo);
        List<Collapse> each = byRepeat.values().stream().map(s -> KneeFinder.find(s, slo)).toList();
        Collapse cautious = each.stream().min(MOST_CAUTIOUS).orElseThrow();
        boolean agree = each.stream().allMatch(c -> MOST_CAUTIOUS.compare(c, cautious) == 0);
        String suffix = agree ? " (the same in all " + each.size() + " repeats)"
                : " (the most cautious of " + each.size() + " repeats, which collapse at: "
                + String.join(", ", each.stream().map(c -> c.collapseLevel() == null ? "none" : KneeFinder.trim(c.collapseLevel())).toList()) + ")";
        return new Collapse(cautious.target(), cautious.scenario(), cautious.collapseLevel(), cautious.rule(), cautious.usableConcurrency(),
                cautious.parallelism(), cautious.line() + suffix, cautious.levels(), cautious.why(), cautious.cacheGaveOutAt(), cautious.cacheWhy());
    }
}
