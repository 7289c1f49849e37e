package io.tokensiege.coordinator.report;

import io.tokensiege.common.analysis.RepeatStats;
import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.plan.Plan;
import io.tokensiege.common.plan.Scenario;
import io.tokensiege.common.plan.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * With {@code repeat: N}, each repeat's value is one sample: per target the mean over repeats with its
 * Student's t 95 % interval, and each target against the first with Welch's verdict ({@link RepeatStats}). The
 * metric is the one a scenario is about: aggregate tok/s for a sweep level, TTFT p50 otherwise.
 */
final class RepeatSection {
    private RepeatSection() {}

    static List<String> lines(Plan plan, List<StepResult> results) {
        List<String> out = new ArrayList<>();
        if (plan.targets().isEmpty()) return out;
        for (Scenario s : plan.scenarios()) {
            if (s.repeat() < 2) continue;
            List<Double> levels = s.isSweep() ? s.load().levels() : List.of(1.0);
            for (double c : levels) {
                String what = s.isSweep() ? s.name() + " @" + io.tokensiege.common.protocol.StepSpec.rateLabel(c) + " aggregate tok/s" : s.name() + " TTFT p50 ms";
                ToDoubleFunction<StepResult> metric = s.isSweep() ? res -> res.throughput().aggregateTokS() : r -> r.dist().ttftMs().p50();
                double[] first = null;
                String firstName = null;
                for (Target t : plan.targets()) {
                    double[] v = results.stream().filter(r -> r.identity().target().equals(t.name()) && r.identity().scenario().equals(s.name()) && (!s.isSweep() || r.level() == c))
                            .mapToDouble(metric).filter(x -> !Double.isNaN(x)).toArray();
                    if (v.length < 2) continue;
                    RepeatStats.Interval i = RepeatStats.mean(v);
                    String line = String.format(Locale.ROOT, "%s, %s: %s", what, t.name(), i.describe(""));
                    if (first == null) {
                        first = v;
                        firstName = t.name();
                    } else {
                        line += "; vs " + firstName + ": " + RepeatStats.difference(first, v).verdict();
                    }
                    out.add(line);
                }
            }
        }
        return out;
    }
}
