package io.tokensiege.coordinator.report;

import io.tokensiege.common.analysis.Collapse;
import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.plan.Slo;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One target's sweep as the level-by-level charts draw it: its steps in level order (repeat 1; repeats are summarised
 * elsewhere), what each step keeps for the charts, where it collapses, and the colour and legend of each level. The
 * collapse level is named "(collapse)" and drawn thicker and dashed on every chart.
 *
 * @param collapse may be null (a sweep not judged yet)
 * @param slo      may be null (a plan without an SLO)
 */
record SweepLevels(String target, String scenario, List<StepResult> steps, Map<String, StepCharts> charts, Collapse collapse, Slo slo) {
    /** Cool to warm as the load rises. */
    private static final String[] COLOURS = {"#1b4f9c", "#2b83ba", "#37a6a0", "#6aa84f", "#c9a227", "#f07f1f", "#d7301f", "#7f0000"};

    /** Sorted by level, the steps of one target's sweep: repeat 1. */
    static List<StepResult> of(List<StepResult> results, String target, String scenario) {
        Map<Double, StepResult> byLevel = new TreeMap<>();
        for (StepResult r : results) {
            if (r.identity().target().equals(target) && r.identity().scenario().equals(scenario) && r.identity().repeat() == 1) byLevel.putIfAbsent(r.level(), r);
        }
        return List.copyOf(byLevel.values());
    }

    /** The chart's {@code data-target} and {@code data-scenario}. */
    Map<String, String> identity() {
        return Map.of("target", target, "scenario", scenario);
    }

    /** Levels spread over the palette, so two levels get far-apart colours and eight get all of them. */
    String colour(int level) {
        int n = steps.size();
        if (n > COLOURS.length) return COLOURS[level % COLOURS.length];
        return COLOURS[n == 1 ? 0 : (int) Math.round(level * (COLOURS.length - 1) / (double) (n - 1))];
    }

    boolean isCollapse(StepResult r) {
        return collapse != null && collapse.collapseLevel() != null && collapse.collapseLevel() == r.level();
    }

    /** "8 streams", or "16 streams (collapse)". */
    String legend(StepResult r) {
        return r.levelLabel() + (isCollapse(r) ? " (collapse)" : "");
    }

    double strokeWidth(StepResult r) {
        return isCollapse(r) ? 2.6 : 1.6;
    }

    String dash(StepResult r) {
        return isCollapse(r) ? "6 3" : "";
    }
}
