package io.tokensiege.coordinator.report;

import io.tokensiege.common.analysis.RepeatStats;
import io.tokensiege.common.analysis.Collapse;
import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.plan.Plan;
import io.tokensiege.common.plan.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * A sweep's metric against the load level, one colour per target: the levels evenly spaced on x (1, 4, 8, 16 read
 * better evenly than on a linear scale); a latency on a log scale when it spans more than {@value Axis#LOG_SPAN}x, other metrics linear from 0.
 * Repeats at a level plot their mean (as the Repeats section gives it). SLO thresholds are drawn as lines and each target's collapse level as a marker.
 */
final class SweepChart {
    private final String title;
    private final String metric;
    private final String unit;
    private final String xName;
    private final Plan plan;
    private final List<StepResult> results;
    private final double[] levels;
    private final List<double[]> values = new ArrayList<>();
    private final List<String> targets = new ArrayList<>();
    private final List<String> dashes = new ArrayList<>();
    private final List<Double> thresholds = new ArrayList<>();
    private final List<String> thresholdLabels = new ArrayList<>();
    private final List<Collapse> collapses = new ArrayList<>();

    /** {@code metric} names the chart for tests and styles ({@code data-metric}); {@code unit} "ms" gives 100 ms, 1 s labels. */
    SweepChart(String title, String metric, String unit, String xName, Plan plan, List<StepResult> results) {
        this.title = title;
        this.metric = metric;
        this.unit = unit;
        this.xName = xName;
        this.plan = plan;
        this.results = results;
        this.levels = results.stream().mapToDouble(StepResult::level).distinct().sorted().toArray();
    }

    /** Adds one line per target for {@code metric}; {@code dash} is an SVG dash pattern, empty for solid (solid lines name the legend). */
    SweepChart line(String dash, ToDoubleFunction<StepResult> metric) {
        for (Target t : plan.targets()) {
            double[] v = new double[levels.length];
            boolean any = false;
            for (int i = 0; i < levels.length; i++) {
                double level = levels[i];
                double[] at = results.stream().filter(r -> r.identity().target().equals(t.name()) && r.level() == level)
                        .mapToDouble(metric).filter(x -> !Double.isNaN(x)).toArray();
                v[i] = at.length == 0 ? Double.NaN : RepeatStats.meanOf(at); // the Repeats section's mean
                any |= at.length > 0;
            }
            if (!any) continue;
            values.add(v);
            targets.add(t.name());
            dashes.add(dash);
        }
        return this;
    }

    /** A threshold line (an SLO), or nothing when {@code value} is null. */
    SweepChart threshold(Number value, String label) {
        if (value != null) {
            thresholds.add(value.doubleValue());
            thresholdLabels.add(label);
        }
        return this;
    }

    /** Marks each target's collapse level of this sweep. */
    SweepChart collapses(List<Collapse> found) {
        collapses.addAll(found);
        return this;
    }

    String svg() {
        List<Double> all = new ArrayList<>(thresholds);
        values.forEach(v -> { for (double x : v) all.add(x); });
        Axis y = Axis.of(all.stream().mapToDouble(Double::doubleValue).toArray(), unit);
        List<String> labels = new ArrayList<>();
        for (double l : levels) labels.add(levelLabel(l));
        XyChart chart = new XyChart(title, "sweep-chart", Map.of("metric", metric), Axis.categories(labels), xName, y);
        for (int s = 0; s < values.size(); s++) {
            List<XyChart.Point> points = new ArrayList<>();
            for (int i = 0; i < levels.length; i++) {
                points.add(new XyChart.Point(i, values.get(s)[i], Map.of("target", targets.get(s), "level", levelLabel(levels[i]), "v", Double.toString(values.get(s)[i]))));
            }
            String colour = colourOf(plan, targets.get(s));
            chart.series(new XyChart.Series(dashes.get(s).isEmpty() ? targets.get(s) : null, colour, dashes.get(s), 1.8, true, points, Map.of("target", targets.get(s))));
        }
        for (int i = 0; i < thresholds.size(); i++) chart.threshold(thresholds.get(i), thresholdLabels.get(i));
        for (Collapse c : collapses) {
            if (c.collapseLevel() == null || !targets.contains(c.target())) continue;
            for (int i = 0; i < levels.length; i++) {
                if (levels[i] == c.collapseLevel()) {
                    chart.marker(i, c.target() + " collapses", colourOf(plan, c.target()),
                            Map.of("target", c.target(), "level", levelLabel(levels[i])));
                }
            }
        }
        return chart.svg();
    }

    static String colourOf(Plan plan, String target) {
        for (int i = 0; i < plan.targets().size(); i++) {
            if (plan.targets().get(i).name().equals(target)) return XyChart.COLOURS[i % XyChart.COLOURS.length];
        }
        return XyChart.COLOURS[0];
    }

    static String levelLabel(double level) {
        return level == Math.rint(level) ? Long.toString((long) level) : SummaryTable.fmt(level);
    }
}
