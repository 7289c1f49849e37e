package io.tokensiege.coordinator.run;

import io.tokensiege.common.analysis.KneeFinder;
import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.plan.Plan;
import io.tokensiege.common.plan.Scenario;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Decides which step runs next, from the results so far: the planned ladder in order, without a sweep's levels above its
 * first collapse (until_collapse) or the steps of a target given up on, and with refine steps that bisect between a sweep's
 * last good and first collapsed level once its ladder ends (refine). It runs nothing itself: {@link RunOrchestrator} runs
 * each step it names and keeps the results.
 */
public final class KneeSearch {
    /**
     * A step to run: {@code number} of {@code total} for progress; {@code planned} is false for a refine step, which the
     * ladder did not contain.
     */
    public record Next(StepSpec step, int number, int total, boolean planned) {}

    private final Plan plan;
    private final List<StepSpec> planned;
    private final Predicate<String> givenUpTarget;
    private int cursor;
    /** The last planned level of the sweep being refined, or null. */
    private StepSpec refining;
    private int refineStepsDone;

    /** @param givenUpTarget whether a target (by name) is given up on: its remaining steps, refine steps included, are not run */
    public KneeSearch(Plan plan, List<StepSpec> planned, Predicate<String> givenUpTarget) {
        this.plan = plan;
        this.planned = List.copyOf(planned);
        this.givenUpTarget = givenUpTarget;
    }

    /** The next step to run, given every sweep result measured so far (warm-ups excluded), or empty when the run is done. */
    public Optional<Next> next(List<StepResult> resultsSoFar) {
        while (true) {
            if (refining != null) {
                Optional<StepSpec> refine = refineStep(refining, resultsSoFar);
                if (refine.isPresent()) {
                    refineStepsDone++;
                    int number = planned.size() + refineStepsDone;
                    return Optional.of(new Next(refine.get(), number, number, false));
                }
                refining = null;
            }
            if (cursor >= planned.size()) return Optional.empty();
            StepSpec step = planned.get(cursor++);
            if (givenUpTarget.test(step.target().name())) continue;
            if (endsSweep(step, cursor < planned.size() ? planned.get(cursor) : null)) {
                refining = step;
                refineStepsDone = 0;
            }
            // until_collapse: a level above the collapse is not run, yet a sweep cut short there is still refined
            if (beyondCollapse(step, resultsSoFar)) continue;
            return Optional.of(new Next(step, cursor, planned.size(), true));
        }
    }

    /**
     * With refine, the level between the last good and the first collapsed level of {@code last}'s sweep: the arithmetic middle
     * of two stream (or session) counts, the geometric middle of two rates; none once refine_steps are done, the gap is one stream (or under
     * 10 % of a rate), or the sweep has no usable level or was not judged.
     */
    private Optional<StepSpec> refineStep(StepSpec last, List<StepResult> resultsSoFar) {
        Scenario scenario = scenarioOf(last);
        if (scenario == null || scenario.load() == null || refineStepsDone >= scenario.load().refineSteps()) return Optional.empty();
        if (givenUpTarget.test(last.target().name())) return Optional.empty();
        List<StepResult> sweep = sweepSoFar(last, resultsSoFar);
        if (sweep.isEmpty()) return Optional.empty(); // no level measured: nothing to bisect
        var collapse = KneeFinder.find(sweep, plan.slo());
        if (collapse.collapseLevel() == null || collapse.usableConcurrency() == null || KneeFinder.NOT_JUDGED.equals(collapse.rule())) {
            return Optional.empty();
        }
        double good = collapse.usableConcurrency(), bad = collapse.collapseLevel();
        int index = planned.size() + refineStepsDone;
        if (scenario.load().isOpen()) {
            if (bad / good < 1.1) return Optional.empty();
            double mid = Math.round(Math.sqrt(good * bad) * 100) / 100.0;
            return Optional.of(StepPlanner.open(plan, last.target(), scenario, mid, last.repeat(), index));
        }
        int mid = (int) ((good + bad) / 2);
        if (mid <= good || mid >= bad) return Optional.empty();
        if (scenario.load().isSessions()) return Optional.of(StepPlanner.sessions(plan, last.target(), scenario, mid, last.repeat(), index));
        return Optional.of(scenario.trace() != null ? StepPlanner.replayClosed(plan, last.target(), scenario, mid, last.repeat(), index)
                : StepPlanner.step(plan, last.target(), scenario, StepKind.CLOSED, mid, last.repeat(), index));
    }

    /** With until_collapse, a sweep's levels above its first collapsed level are not run. */
    private boolean beyondCollapse(StepSpec step, List<StepResult> resultsSoFar) {
        if (!isSweepLevel(step)) return false;
        Scenario scenario = scenarioOf(step);
        if (scenario == null || scenario.load() == null || !scenario.load().untilCollapse()) return false;
        List<StepResult> sweep = sweepSoFar(step, resultsSoFar);
        return !sweep.isEmpty() && KneeFinder.find(sweep, plan.slo()).collapseLevel() != null;
    }

    /** Whether {@code step} is its sweep's last planned level, run or skipped: the sweep's refine steps come after it. */
    private boolean endsSweep(StepSpec step, StepSpec next) {
        return isSweepLevel(step) && (next == null || !next.scenario().equals(step.scenario()) || !next.target().name().equals(step.target().name())
                || next.repeat() != step.repeat());
    }

    static boolean isSweepLevel(StepSpec step) {
        return step.kind() == StepKind.CLOSED || step.kind() == StepKind.OPEN || step.kind() == StepKind.SESSIONS;
    }

    private Scenario scenarioOf(StepSpec step) {
        return plan.scenarios().stream().filter(s -> s.name().equals(step.scenario())).findFirst().orElse(null);
    }

    /** The levels of {@code step}'s sweep (same target, scenario and repeat) measured so far. */
    private static List<StepResult> sweepSoFar(StepSpec step, List<StepResult> resultsSoFar) {
        return resultsSoFar.stream().filter(r -> r.identity().target().equals(step.target().name()) && r.identity().scenario().equals(step.scenario())
                && r.identity().repeat() == step.repeat()).toList();
    }
}
