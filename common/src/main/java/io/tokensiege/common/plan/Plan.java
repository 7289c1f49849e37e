package io.tokensiege.common.plan;

import java.util.List;

/** A validated load plan: what to measure (targets), how (scenarios), and what is good enough (slo). */
public record Plan(String name, String source, List<Target> targets, Defaults defaults, List<Scenario> scenarios, Slo slo, long seed) {

    public Plan withTargets(List<Target> newTargets) {
        return new Plan(name, source, newTargets, defaults, scenarios, slo, seed);
    }
}
