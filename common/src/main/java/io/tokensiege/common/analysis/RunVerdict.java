package io.tokensiege.common.analysis;

import io.tokensiege.common.plan.Plan;
import io.tokensiege.common.plan.Scenario;
import io.tokensiege.common.plan.Target;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The run's answer: a collapse finding per target × sweep, and an SLO verdict per target. A target meets
 * the SLO when at least the lowest level of each sweep does, in every repeat (its usable concurrency is reported,
 * the most cautious repeat's: {@link RepeatedSweep}), and every step of its single-level scenarios does (a turns
 * scenario's step holds its cold first turn too). Nothing measured is never good: a target with no finished step,
 * or without one successful request in any step, fails whatever the SLO (and without one); a step without
 * successful requests or a partial one never meets it. {@link #sloFailed()} drives exit code 3.
 */
public record RunVerdict(List<Collapse> collapses, Map<String, String> sloVerdicts, boolean sloFailed) {

    public static RunVerdict of(Plan plan, List<StepResult> results) {
        List<Collapse> collapses = new ArrayList<>();
        Map<String, String> verdicts = new LinkedHashMap<>();
        boolean failed = false;
        boolean hasSlo = plan.slo() != null && !plan.slo().isEmpty();
        for (Target t : plan.targets()) {
            List<StepResult> ofTarget = results.stream().filter(r -> r.identity().target().equals(t.name())).toList();
            List<String> fails = new ArrayList<>();
            List<String> usable = new ArrayList<>();
            for (Scenario s : plan.scenarios()) {
                if (!s.isSweep()) {
                    // A single-level scenario is judged step by step, beside the sweeps: 11 % errors in a trace replay is no pass.
                    for (StepResult r : ofTarget) {
                        if (!r.identity().scenario().equals(s.name())) continue;
                        List<String> b = SloCheck.breaches(r, plan.slo());
                        if (!b.isEmpty()) fails.add(s.name() + (r.identity().repeat() > 1 ? " (repeat " + r.identity().repeat() + ")" : "") + ": "
                                + String.join(", ", b));
                    }
                    continue;
                }
                List<StepResult> mine = ofTarget.stream().filter(r -> r.identity().scenario().equals(s.name())).toList();
                if (mine.isEmpty()) continue;
                Collapse c = RepeatedSweep.judge(mine, plan.slo()); // every repeat: the first alone is one run
                collapses.add(c);
                if (c.usableConcurrency() == null) {
                    fails.add(s.name() + " fails at its first level, " + level(c.collapseLevel(), s.load()) + ": " + c.why());
                } else {
                    // Never a bare "meets" beside a collapse: how far it holds, and what happens next.
                    String next = c.collapseLevel() == null ? "no collapse up to " + level(mine.stream().mapToDouble(StepResult::level).max().orElse(0), s.load())
                            : (KneeFinder.NOT_JUDGED.equals(c.rule()) ? "not judged from " : "collapses at ") + level(c.collapseLevel(), s.load());
                    usable.add("up to " + level(c.usableConcurrency(), s.load()) + " in " + s.name() + " (" + next + ")");
                }
            }
            String nothing = nothingMeasured(ofTarget);
            if (nothing != null) {
                failed = true;
                verdicts.put(t.name(), nothing);
            } else if (!hasSlo) {
                verdicts.put(t.name(), "no SLO in the plan");
            } else if (fails.isEmpty()) {
                verdicts.put(t.name(), "MEETS the SLO" + (usable.isEmpty() ? "" : " " + String.join("; ", usable)));
            } else {
                failed = true;
                verdicts.put(t.name(), "FAILS the SLO: " + String.join("; ", fails));
            }
        }
        return new RunVerdict(collapses, verdicts, failed);
    }

    /** The verdict of a target that has nothing to judge (no step finished, or not one successful request), else null. */
    private static String nothingMeasured(List<StepResult> ofTarget) {
        if (ofTarget.isEmpty()) return "NOT MEASURED: none of its measured steps ran to the end, or all were skipped (see the failures)";
        if (ofTarget.stream().anyMatch(r -> r.outcome().ok() > 0)) return null;
        return "FAILS: no successful requests in any step (" + dominantFailure(ofTarget) + ")";
    }

    /** The most frequent error over the steps, e.g. "12/12 timeout_first_token (...)"; else the first step's reason for measuring nothing. */
    private static String dominantFailure(List<StepResult> steps) {
        Map<List<String>, Integer> counts = new LinkedHashMap<>();
        int requests = 0;
        for (StepResult r : steps) {
            requests += r.outcome().requests();
            if (r.outcome().errorReasons() == null) continue;
            for (ErrorReason e : r.outcome().errorReasons()) counts.merge(List.of(e.errorClass(), e.reason() == null ? "" : e.reason()), e.count(), Integer::sum);
        }
        if (counts.isEmpty()) {
            return steps.stream().map(StepResult::failureSummary).filter(s -> s != null).findFirst().orElse(requests + " measured requests, none succeeded");
        }
        Map.Entry<List<String>, Integer> top = counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
        String explanation = new ErrorReason(top.getKey().get(0), top.getKey().get(1), top.getValue()).explanation();
        return top.getValue() + "/" + requests + " " + top.getKey().get(0) + (explanation.isEmpty() ? "" : " " + explanation);
    }

    /** A load level in words: "1 stream", "4 sessions", "0.5 req/s". */
    static String level(double level, io.tokensiege.common.plan.Scenario.Load load) {
        String n = KneeFinder.trim(level);
        if (load.isOpen()) return n + " req/s";
        String unit = load.isSessions() ? "session" : "stream";
        return n + " " + unit + (level == 1 ? "" : "s");
    }
}
