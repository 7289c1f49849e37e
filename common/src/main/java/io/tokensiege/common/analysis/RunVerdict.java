package io.tokensiege.common.analysis;

import io.tokensiege.common.plan.Plan;
import io.tokensiege.common.plan.Scenario;
import io.tokensiege.common.plan.Target;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The run's answer: a collapse finding per target × sweep, and an SLO verdict per target. With sweeps
 * in the plan, a target meets the SLO when at least its lowest level does (its usable concurrency is
 * reported); without sweeps, when every step does. {@link #sloFailed()} drives exit code 3.
 */
public record RunVerdict(List<Collapse> collapses, Map<String, String> sloVerdicts, boolean sloFailed) {

    public static RunVerdict of(Plan plan, List<StepResult> results) {
        List<Collapse> collapses = new ArrayList<>();
        Map<String, String> verdicts = new LinkedHashMap<>();
        boolean failed = false;
        boolean hasSlo = plan.slo() != null && !plan.slo().isEmpty();
        for (Target t : plan.targets()) {
            List<String> fails = new ArrayList<>();
            List<String> usable = new ArrayList<>();
            boolean anySweep = false;
            for (Scenario s : plan.scenarios()) {
                List<StepResult> mine = results.stream()
                        .filter(r -> r.target().equals(t.name()) && r.scenario().equals(s.name()) && r.repeat() == 1 && r.requests() > 0).toList();
                if (mine.isEmpty()) continue;
                if (s.isSweep()) {
                    anySweep = true;
                    Collapse c = KneeFinder.find(mine, plan.slo());
                    collapses.add(c);
                    if (c.usableConcurrency() == null) fails.add(s.name() + " fails at every level");
                    else usable.add((s.load().isOpen() ? "usable rate " + KneeFinder.trim(c.usableConcurrency()) + " req/s"
                            : "usable concurrency " + KneeFinder.trim(c.usableConcurrency())) + " in " + s.name());
                }
            }
            if (!anySweep) {
                for (StepResult r : results) {
                    if (!r.target().equals(t.name())) continue;
                    List<String> b = SloCheck.breaches(r, plan.slo());
                    if (!b.isEmpty()) fails.add(r.scenario() + ": " + String.join(", ", b));
                }
            }
            if (!hasSlo) verdicts.put(t.name(), "no SLO in the plan");
            else if (fails.isEmpty()) verdicts.put(t.name(), "MEETS the SLO" + (usable.isEmpty() ? "" : " (" + String.join("; ", usable) + ")"));
            else {
                failed = true;
                verdicts.put(t.name(), "FAILS the SLO: " + String.join("; ", fails));
            }
        }
        return new RunVerdict(collapses, verdicts, failed);
    }
}
