package io.tokensiege.coordinator.report;

import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.metric.Metric;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Within each step of a sweep: TTFT second by second (p50 and p95 of the hlog's one-second intervals, added over workers:
 * a queue that builds up shows as a rising line), and TTFT of every request in the order it was sent (the fairness view:
 * a server that serves in order draws a staircase, one that starves some requests draws outliers). One colour per level.
 */
final class TimelineCharts {
    private TimelineCharts() {}

    static String svg(SweepLevels levels) {
        return overTime(levels) + sendOrder(levels);
    }

    private static String overTime(SweepLevels levels) {
        List<XyChart.Series> series = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        double lastSecond = 1;
        for (int i = 0; i < levels.steps().size(); i++) {
            StepResult r = levels.steps().get(i);
            StepCharts c = levels.charts().get(r.identity().stepId());
            if (c == null || c.histograms().ttftPerSecond().isEmpty()) continue;
            List<XyChart.Point> p50 = new ArrayList<>();
            List<XyChart.Point> p95 = new ArrayList<>();
            double factor = StepHistograms.displayFactor(Metric.TTFT_MICROS, r.identity().timeScale());
            for (StepHistograms.Second s : c.histograms().ttftPerSecond()) {
                double at = s.endSeconds() * r.identity().timeScale();
                double v50 = s.ttft().getValueAtPercentile(50) * factor;
                double v95 = s.ttft().getValueAtPercentile(95) * factor;
                p50.add(new XyChart.Point(at, v50, Map.of("level", r.levelLabel(), "second", Double.toString(at), "v", Double.toString(v50))));
                p95.add(new XyChart.Point(at, v95));
                values.add(v50);
                values.add(v95);
                lastSecond = Math.max(lastSecond, at);
            }
            series.add(new XyChart.Series(levels.legend(r), levels.colour(i), levels.dash(r), levels.strokeWidth(r), true, p50, Map.of("level", r.levelLabel())));
            series.add(new XyChart.Series(null, levels.colour(i), "4 3", 1.2, true, p95, Map.of("level", r.levelLabel(), "percentile", "95")));
        }
        if (series.isEmpty()) return "";
        XyChart chart = new XyChart("TTFT over each step: p50 solid, p95 dashed", "ttft-over-time", levels.identity(), Axis.linear(lastSecond, ""),
                "seconds into the step (requests ending then)", Axis.auto(toArray(values), "ms"));
        series.forEach(chart::series);
        if (levels.slo() != null && levels.slo().ttftP50Millis() != null) chart.threshold(levels.slo().ttftP50Millis(), "SLO p50");
        return chart.svg();
    }

    private static String sendOrder(SweepLevels levels) {
        List<XyChart.Series> series = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        int lastRank = 1;
        for (int i = 0; i < levels.steps().size(); i++) {
            StepResult r = levels.steps().get(i);
            StepCharts c = levels.charts().get(r.identity().stepId());
            if (c == null || c.sendOrder().points().isEmpty()) continue;
            List<XyChart.Point> dots = new ArrayList<>();
            for (SendOrder.Point p : c.sendOrder().points()) {
                dots.add(new XyChart.Point(p.rank(), p.ttftMs()));
                values.add(p.ttftMs());
                lastRank = Math.max(lastRank, p.rank());
            }
            String kept = r.fairness() == null || r.fairness().sendOrderKept() == null ? ""
                    : String.format(Locale.ROOT, ": %.0f%% in order", 100 * r.fairness().sendOrderKept());
            String every = c.sendOrder().every() > 1 ? ", every " + c.sendOrder().every() + "th shown" : "";
            series.add(new XyChart.Series(levels.legend(r) + kept + every, levels.colour(i), "", 1, false, dots, Map.of("level", r.levelLabel())));
        }
        if (series.isEmpty()) return "";
        XyChart chart = new XyChart("TTFT in send order (fairness): FIFO rises in steps", "send-order", levels.identity(), Axis.linear(lastRank, ""),
                "request, in the order sent", Axis.auto(toArray(values), "ms"));
        series.forEach(chart::series);
        return chart.svg();
    }

    private static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
