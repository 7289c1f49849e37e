package io.tokensiege.coordinator.report;

import static io.tokensiege.coordinator.report.Html.escape;

import io.tokensiege.common.analysis.AgentView;
import io.tokensiege.common.analysis.Collapse;
import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.metric.Metric;
import io.tokensiege.common.plan.Slo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One target's sweep, level by level, from its merged histograms: TTFT, ITL, E2E and decode rate by percentile (one curve
 * per level), the TTFT percentiles as a table, TTFT second by second within each step, TTFT in send order (fairness), and
 * for agent sessions TTFT and the cached share by turn. The collapse level's curves are drawn thicker and named.
 */
final class SweepDetail {
    /** Cool to warm as the load rises; the collapse level gets a thicker, dashed line besides. */
    private static final String[] LEVEL_COLOURS = {"#1b4f9c", "#2b83ba", "#37a6a0", "#6aa84f", "#c9a227", "#f07f1f", "#d7301f", "#7f0000"};

    private record ChartMetric(Metric metric, String key, String title) {}

    private static final List<ChartMetric> METRICS = List.of(
            new ChartMetric(Metric.TTFT_MICROS, "ttft", "TTFT by percentile"),
            new ChartMetric(Metric.ITL_MICROS, "itl", "ITL (gap between tokens) by percentile"),
            new ChartMetric(Metric.E2E_MICROS, "e2e", "E2E latency by percentile"),
            new ChartMetric(Metric.DECODE_RATE_MILLITOK_S, "decode_rate", "decode tok/s per request by percentile (low = slow)"));

    private final String target;
    private final String scenario;
    private final List<StepResult> steps;
    private final Map<String, StepCharts> charts;
    private final Collapse collapse;
    private final Slo slo;
    private final Map<String, String> identity;

    /** {@code steps}: one per level (repeat 1), in level order; {@code collapse} may be null. */
    SweepDetail(String target, String scenario, List<StepResult> steps, Map<String, StepCharts> charts, Collapse collapse, Slo slo) {
        this.target = target;
        this.scenario = scenario;
        this.steps = steps;
        this.charts = charts;
        this.collapse = collapse;
        this.slo = slo;
        this.identity = Map.of("target", target, "scenario", scenario);
    }

    String html() {
        StringBuilder sb = new StringBuilder();
        sb.append("<h3 id=\"").append(escape(Anchors.sweep(target, scenario))).append("\">").append(escape(target + " / " + scenario))
                .append(": merged histograms, level by level</h3>\n<div class=\"charts\">");
        for (ChartMetric m : METRICS) {
            List<PercentileChart.Curve> curves = new ArrayList<>();
            for (int i = 0; i < steps.size(); i++) {
                StepResult r = steps.get(i);
                StepCharts c = charts.get(r.stepId());
                if (c == null || c.histograms().total(m.metric()).getTotalCount() == 0) continue;
                curves.add(new PercentileChart.Curve(r.levelLabel(), colour(i), isCollapse(r), c.histograms().total(m.metric()),
                        StepHistograms.displayFactor(m.metric(), r.timeScale())));
            }
            if (curves.isEmpty()) continue;
            String unit = StepHistograms.displayUnit(m.metric());
            XyChart chart = PercentileChart.chart(m.title() + ", " + unit, m.key(), unit, identity, curves);
            sloLines(chart, m.metric());
            sb.append(chart.svg());
        }
        timeCharts(sb);
        sb.append("</div>\n");
        sb.append(ttftTable());
        return sb.toString();
    }

    private void sloLines(XyChart chart, Metric m) {
        if (slo == null) return;
        if (m == Metric.TTFT_MICROS && slo.ttftP50Millis() != null) chart.threshold(slo.ttftP50Millis(), "SLO p50 " + Axis.label(slo.ttftP50Millis(), "ms"));
        if (m == Metric.TTFT_MICROS && slo.ttftP95Millis() != null) chart.threshold(slo.ttftP95Millis(), "SLO p95 " + Axis.label(slo.ttftP95Millis(), "ms"));
        if (m == Metric.DECODE_RATE_MILLITOK_S && slo.decodeP50TokS() != null) chart.threshold(slo.decodeP50TokS(), "SLO p50 " + Axis.label(slo.decodeP50TokS(), "") + " tok/s");
    }

    /** TTFT second by second, TTFT in send order, and for agent sessions the turn charts. */
    private void timeCharts(StringBuilder sb) {
        List<XyChart.Series> overTime = new ArrayList<>();
        List<XyChart.Series> order = new ArrayList<>();
        List<Double> ttfts = new ArrayList<>();
        List<Double> orderTtfts = new ArrayList<>();
        double lastSecond = 1;
        int lastRank = 1;
        for (int i = 0; i < steps.size(); i++) {
            StepResult r = steps.get(i);
            StepCharts c = charts.get(r.stepId());
            if (c == null) continue;
            List<XyChart.Point> p50 = new ArrayList<>();
            List<XyChart.Point> p95 = new ArrayList<>();
            double factor = StepHistograms.displayFactor(Metric.TTFT_MICROS, r.timeScale());
            for (StepHistograms.Second s : c.histograms().ttftPerSecond()) {
                double at = s.endSeconds() * r.timeScale();
                double v50 = s.ttft().getValueAtPercentile(50) * factor;
                double v95 = s.ttft().getValueAtPercentile(95) * factor;
                p50.add(new XyChart.Point(at, v50, Map.of("level", r.levelLabel(), "second", Double.toString(at), "v", Double.toString(v50))));
                p95.add(new XyChart.Point(at, v95));
                ttfts.add(v50);
                ttfts.add(v95);
                lastSecond = Math.max(lastSecond, at);
            }
            String legend = r.levelLabel() + (isCollapse(r) ? " (collapse)" : "");
            if (!p50.isEmpty()) {
                overTime.add(new XyChart.Series(legend, colour(i), "", isCollapse(r) ? 2.6 : 1.6, true, p50, Map.of("level", r.levelLabel())));
                overTime.add(new XyChart.Series(null, colour(i), "4 3", 1.2, true, p95, Map.of("level", r.levelLabel(), "percentile", "95")));
            }
            List<XyChart.Point> dots = new ArrayList<>();
            for (SendOrder.Point p : c.sendOrder().points()) {
                dots.add(new XyChart.Point(p.rank(), p.ttftMs()));
                orderTtfts.add(p.ttftMs());
                lastRank = Math.max(lastRank, p.rank());
            }
            String kept = r.fairness() == null || r.fairness().sendOrderKept() == null ? ""
                    : String.format(java.util.Locale.ROOT, ": %.0f%% in order", 100 * r.fairness().sendOrderKept());
            if (!dots.isEmpty()) order.add(new XyChart.Series(legend + kept, colour(i), "", 1, false, dots, Map.of("level", r.levelLabel())));
        }
        if (!overTime.isEmpty()) {
            XyChart chart = new XyChart("TTFT over each step: p50 solid, p95 dashed", "ttft-over-time", identity,
                    Axis.linear(lastSecond, ""), "seconds into the step (requests ending then)", Axis.auto(toArray(ttfts), "ms"));
            overTime.forEach(chart::series);
            if (slo != null && slo.ttftP50Millis() != null) chart.threshold(slo.ttftP50Millis(), "SLO p50");
            sb.append(chart.svg());
        }
        if (!order.isEmpty()) {
            XyChart chart = new XyChart("TTFT in send order (fairness): FIFO rises in steps", "send-order", identity,
                    Axis.linear(lastRank, ""), "request, in the order sent", Axis.auto(toArray(orderTtfts), "ms"));
            order.forEach(chart::series);
            sb.append(chart.svg());
        }
        turnCharts(sb);
    }

    /** Agent sessions: TTFT p50 by user turn (turn 1 cold, later turns should hit the prefix cache) and the share the server served from cache. */
    private void turnCharts(StringBuilder sb) {
        TreeSet<Integer> turns = new TreeSet<>();
        for (StepResult r : steps) if (r.agents() != null) r.agents().turns().forEach(t -> turns.add(t.turn()));
        if (turns.isEmpty()) return;
        List<String> labels = turns.stream().map(String::valueOf).toList();
        List<Integer> index = List.copyOf(turns);
        XyChart cached = new XyChart("prompt served from the server's cache, by turn", "turn-cached", identity, Axis.categories(labels), "user turn",
                Axis.percent());
        List<Double> all = new ArrayList<>();
        for (StepResult r : steps) if (r.agents() != null) r.agents().turns().forEach(t -> { if (t.ttftP50Ms() != null) all.add(t.ttftP50Ms()); });
        XyChart ttft = new XyChart("TTFT p50 by turn: turn 1 cold, 2+ warm", "turn-ttft", identity, Axis.categories(labels), "user turn", Axis.auto(toArray(all), "ms"));
        boolean anyCached = false;
        for (int i = 0; i < steps.size(); i++) {
            StepResult r = steps.get(i);
            if (r.agents() == null) continue;
            List<XyChart.Point> t = new ArrayList<>();
            List<XyChart.Point> c = new ArrayList<>();
            for (AgentView.Turn turn : r.agents().turns()) {
                int x = index.indexOf(turn.turn());
                t.add(new XyChart.Point(x, turn.ttftP50Ms() == null ? Double.NaN : turn.ttftP50Ms(), Map.of("turn", String.valueOf(turn.turn()), "level", r.levelLabel())));
                if (turn.cachedShare() != null) {
                    c.add(new XyChart.Point(x, 100 * turn.cachedShare(), Map.of("turn", String.valueOf(turn.turn()), "level", r.levelLabel())));
                    anyCached = true;
                }
            }
            String legend = r.levelLabel() + (isCollapse(r) ? " (collapse)" : "");
            ttft.series(new XyChart.Series(legend, colour(i), "", isCollapse(r) ? 2.6 : 1.6, true, t, Map.of("level", r.levelLabel())));
            cached.series(new XyChart.Series(legend, colour(i), "", isCollapse(r) ? 2.6 : 1.6, true, c, Map.of("level", r.levelLabel())));
        }
        sb.append(ttft.svg());
        if (anyCached) sb.append(cached.svg());
    }

    /** The TTFT percentiles of each level, from the same merged histograms as the curves. */
    private String ttftTable() {
        StringBuilder sb = new StringBuilder("<table class=\"percentile-table\" data-metric=\"ttft\" data-target=\"").append(escape(target))
                .append("\" data-scenario=\"").append(escape(scenario)).append("\"><tr><th>TTFT</th><th>n</th>");
        for (String name : PercentileSummary.NAMES) sb.append("<th>").append(name).append("</th>");
        sb.append("<th>max</th></tr>\n");
        boolean any = false;
        for (StepResult r : steps) {
            StepCharts c = charts.get(r.stepId());
            if (c == null) continue;
            any = true;
            PercentileSummary s = PercentileSummary.of(c.histograms().total(Metric.TTFT_MICROS), StepHistograms.displayFactor(Metric.TTFT_MICROS, r.timeScale()));
            sb.append("<tr data-level=\"").append(escape(r.levelLabel())).append("\"><td>").append(escape(r.levelLabel() + (isCollapse(r) ? " (collapse)" : "")))
                    .append("</td><td class=\"n\">").append(String.format(java.util.Locale.ROOT, "%,d", s.count())).append("</td>");
            for (int i = 0; i < s.values().length; i++) cell(sb, PercentileSummary.NAMES[i], s.values()[i]);
            cell(sb, "max", s.max());
            sb.append("</tr>\n");
        }
        return any ? sb.append("</table>\n").toString() : "";
    }

    private static void cell(StringBuilder sb, String name, double v) {
        sb.append("<td class=\"n\" data-p=\"").append(name).append("\" data-v=\"").append(v).append("\">").append(escape(PercentileSummary.format(v, "ms"))).append("</td>");
    }

    private boolean isCollapse(StepResult r) {
        return collapse != null && collapse.collapseLevel() != null && collapse.collapseLevel() == r.level();
    }

    /** Levels spread over the palette, so two levels get far-apart colours and eight get all of them. */
    private String colour(int level) {
        int n = steps.size();
        if (n > LEVEL_COLOURS.length) return LEVEL_COLOURS[level % LEVEL_COLOURS.length];
        return LEVEL_COLOURS[n == 1 ? 0 : (int) Math.round(level * (LEVEL_COLOURS.length - 1) / (double) (n - 1))];
    }

    private static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** Sorted by level, the steps of one target's sweep to draw: repeat 1 (repeats are summarised elsewhere). */
    static List<StepResult> levels(List<StepResult> results, String target, String scenario) {
        Map<Double, StepResult> byLevel = new java.util.TreeMap<>();
        for (StepResult r : results) {
            if (r.target().equals(target) && r.scenario().equals(scenario) && r.repeat() == 1) byLevel.putIfAbsent(r.level(), r);
        }
        return List.copyOf(new LinkedHashMap<>(byLevel).values());
    }
}
