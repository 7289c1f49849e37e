package io.tokensiege.coordinator.report;

import static io.tokensiege.coordinator.report.Html.escape;
import static io.tokensiege.coordinator.report.HtmlReport.num;

import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.plan.Plan;
import io.tokensiege.common.plan.Target;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * One SVG line chart of a sweep: the load levels evenly spaced on x (1, 4, 8, 16 read better evenly
 * than on a linear scale), a metric on a linear y from 0, one colour per target. Repeats at a level
 * plot their median. Points without a value (NaN) are left out, never drawn as 0.
 */
final class SweepChart {
    private static final String[] COLOURS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"};
    private static final int WIDTH = 340;
    private static final int HEIGHT = 210; // of the plot and its axis labels; the legend adds a line per target
    private static final int LEFT = 52;
    private static final int RIGHT = 12;
    private static final int TOP = 26;
    private static final int BOTTOM = 40;
    private static final int LEGEND_LINE = 15;

    private final String title;
    private final String xLabel;
    private final Plan plan;
    private final List<StepResult> results;
    private final double[] levels;
    private final List<Series> series = new ArrayList<>();

    private record Series(String target, String dash, double[] values) {}

    SweepChart(String title, String xLabel, Plan plan, List<StepResult> results) {
        this.title = title;
        this.xLabel = xLabel;
        this.plan = plan;
        this.results = results;
        this.levels = results.stream().mapToDouble(StepResult::level).distinct().sorted().toArray();
    }

    /** Adds one line per target for {@code metric}; {@code dash} is an SVG dash pattern, empty for solid. */
    SweepChart line(String dash, ToDoubleFunction<StepResult> metric) {
        for (Target t : plan.targets()) {
            double[] values = new double[levels.length];
            boolean any = false;
            for (int i = 0; i < levels.length; i++) {
                double level = levels[i];
                double[] at = results.stream().filter(r -> r.target().equals(t.name()) && r.level() == level)
                        .mapToDouble(metric).filter(v -> !Double.isNaN(v)).sorted().toArray();
                values[i] = at.length == 0 ? Double.NaN : at[at.length / 2];
                any |= at.length > 0;
            }
            if (any) series.add(new Series(t.name(), dash, values));
        }
        return this;
    }

    String svg() {
        double max = series.stream().flatMapToDouble(s -> Arrays.stream(s.values)).filter(v -> !Double.isNaN(v)).max().orElse(1);
        double yMax = niceCeiling(max <= 0 ? 1 : max * 1.05);
        List<String> legend = series.stream().map(Series::target).distinct().toList();
        int height = HEIGHT + LEGEND_LINE * legend.size();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\"><title>%s</title>",
                WIDTH, height, WIDTH, height, escape(title)));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"16\" font-weight=\"bold\">%s</text>", LEFT, escape(title)));
        for (int i = 0; i <= 4; i++) { // y grid and labels
            double v = yMax * i / 4;
            double y = y(v, yMax);
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%s\" y2=\"%s\" stroke=\"#e5e5e5\"/>", LEFT, WIDTH - RIGHT, num(y), num(y)));
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%s\" text-anchor=\"end\">%s</text>", LEFT - 4, num(y + 4), SummaryTable.fmt(v)));
        }
        for (int i = 0; i < levels.length; i++) { // x labels
            sb.append(String.format(Locale.ROOT, "<text x=\"%s\" y=\"%d\" text-anchor=\"middle\">%s</text>", num(x(i)), HEIGHT - BOTTOM + 14, label(levels[i])));
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%s\" y=\"%d\" text-anchor=\"middle\">%s</text>", num((LEFT + WIDTH - RIGHT) / 2.0), HEIGHT - BOTTOM + 28, escape(xLabel)));
        for (int s = 0; s < series.size(); s++) {
            Series line = series.get(s);
            String colour = COLOURS[targetIndex(line.target) % COLOURS.length];
            StringBuilder points = new StringBuilder();
            for (int i = 0; i < levels.length; i++) {
                if (Double.isNaN(line.values[i])) continue;
                points.append(num(x(i))).append(',').append(num(y(line.values[i], yMax))).append(' ');
                sb.append(String.format(Locale.ROOT, "<circle cx=\"%s\" cy=\"%s\" r=\"2.5\" fill=\"%s\"/>", num(x(i)), num(y(line.values[i], yMax)), colour));
            }
            sb.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\"%s points=\"%s\"/>", colour,
                    line.dash.isEmpty() ? "" : " stroke-dasharray=\"" + line.dash + "\"", points.toString().trim()));
        }
        for (int i = 0; i < legend.size(); i++) { // legend under the axis label, a line per target
            int ly = HEIGHT + LEGEND_LINE * i;
            sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>",
                    LEFT, ly - 9, COLOURS[targetIndex(legend.get(i)) % COLOURS.length], LEFT + 14, ly, escape(legend.get(i))));
        }
        return sb.append("</svg>").toString();
    }

    private int targetIndex(String name) {
        for (int i = 0; i < plan.targets().size(); i++) if (plan.targets().get(i).name().equals(name)) return i;
        return 0;
    }

    private double x(int i) {
        double span = WIDTH - LEFT - RIGHT - 20;
        return LEFT + 10 + (levels.length == 1 ? span / 2 : span * i / (levels.length - 1));
    }

    private static double y(double v, double yMax) {
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - v / yMax);
    }

    private static String label(double level) {
        return level == Math.rint(level) ? Long.toString((long) level) : SummaryTable.fmt(level);
    }

    /** 1, 2 or 5 times a power of ten, at or above {@code v}: round axis labels. */
    static double niceCeiling(double v) {
        double power = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 5, 10}) if (m * power >= v) return m * power;
        return 10 * power;
    }
}
