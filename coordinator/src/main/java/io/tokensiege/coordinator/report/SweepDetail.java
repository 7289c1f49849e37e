package io.tokensiege.coordinator.report;

import static io.tokensiege.coordinator.report.Html.escape;

import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.metric.Metric;
import io.tokensiege.common.plan.Slo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One target's sweep, level by level, from its merged histograms: TTFT, ITL, E2E and decode rate by percentile (one curve
 * per level, SLO thresholds as lines), then the time charts ({@link TimelineCharts}), the turn charts of agent sessions
 * ({@link TurnCharts}), and the TTFT percentiles as a table. An open loop's TTFT is judged from the intended start (a
 * user arriving on schedule waits the schedule lag too): its chart, SLO lines and table come first, TTFT from send after.
 */
final class SweepDetail {
    private record ChartMetric(Metric metric, String key, String title) {}

    private static final List<ChartMetric> METRICS = List.of(
            new ChartMetric(Metric.TTFT_MICROS, "ttft", "TTFT by percentile"),
            new ChartMetric(Metric.ITL_MICROS, "itl", "ITL (gap between tokens) by percentile"),
            new ChartMetric(Metric.E2E_MICROS, "e2e", "E2E latency by percentile"),
            new ChartMetric(Metric.DECODE_RATE_MILLITOK_S, "decode_rate", "decode tok/s per request by percentile (low = slow)"));

    private static final ChartMetric FROM_INTENDED =
            new ChartMetric(Metric.TTFT_INTENDED_MICROS, "ttft_intended", "TTFT from the intended start (what the SLO judges) by percentile");

    private SweepDetail() {}

    /** The TTFT the SLO judges: from the intended start in an open loop, else from send. */
    private static Metric judgedTtft(SweepLevels levels) {
        return levels.steps().stream().anyMatch(r -> r.open() != null) ? Metric.TTFT_INTENDED_MICROS : Metric.TTFT_MICROS;
    }

    static String html(SweepLevels levels) {
        StringBuilder sb = new StringBuilder();
        sb.append("<h3 id=\"").append(Anchors.sweep(levels.target(), levels.scenario())).append("\">").append(escape(levels.target() + " / " + levels.scenario()))
                .append(": merged histograms, level by level</h3>\n<div class=\"charts\">");
        Metric judged = judgedTtft(levels);
        List<ChartMetric> metrics = new ArrayList<>(METRICS);
        if (judged == Metric.TTFT_INTENDED_MICROS) metrics.add(0, FROM_INTENDED);
        for (ChartMetric m : metrics) {
            List<PercentileChart.Curve> curves = new ArrayList<>();
            for (int i = 0; i < levels.steps().size(); i++) {
                StepResult r = levels.steps().get(i);
                StepCharts c = levels.charts().get(r.identity().stepId());
                if (c == null || c.histograms().total(m.metric()).getTotalCount() == 0) continue;
                curves.add(new PercentileChart.Curve(r.levelLabel(), levels.legend(r), levels.colour(i), levels.dash(r), levels.strokeWidth(r),
                        c.histograms().total(m.metric()), StepHistograms.displayFactor(m.metric(), r.identity().timeScale())));
            }
            if (curves.isEmpty()) continue;
            String unit = StepHistograms.displayUnit(m.metric());
            String title = m.metric() == Metric.TTFT_MICROS && judged != Metric.TTFT_MICROS ? "TTFT from send by percentile" : m.title();
            XyChart chart = PercentileChart.chart(title + ", " + unit, m.key(), unit, levels.identity(), curves);
            sloLines(chart, m.metric(), judged, levels.slo());
            sb.append(chart.svg());
        }
        sb.append(TimelineCharts.svg(levels)).append(TurnCharts.svg(levels)).append("</div>\n");
        return sb.append(ttftTable(levels, judged)).toString();
    }

    private static void sloLines(XyChart chart, Metric m, Metric judgedTtft, Slo slo) {
        if (slo == null) return;
        if (m == judgedTtft && slo.ttftP50Millis() != null) chart.threshold(slo.ttftP50Millis(), "SLO p50 " + Axis.label(slo.ttftP50Millis(), "ms"));
        if (m == judgedTtft && slo.ttftP95Millis() != null) chart.threshold(slo.ttftP95Millis(), "SLO p95 " + Axis.label(slo.ttftP95Millis(), "ms"));
        if (m == Metric.DECODE_RATE_MILLITOK_S && slo.decodeP50TokS() != null) {
            chart.threshold(slo.decodeP50TokS(), "SLO p50 " + Axis.label(slo.decodeP50TokS(), "") + " tok/s");
        }
    }

    /** The judged TTFT's percentiles of each level, from the same merged histograms as the curves. */
    private static String ttftTable(SweepLevels levels, Metric judged) {
        boolean intended = judged == Metric.TTFT_INTENDED_MICROS;
        StringBuilder sb = new StringBuilder("<table class=\"percentile-table\" data-metric=\"").append(intended ? "ttft_intended" : "ttft")
                .append("\" data-target=\"").append(escape(levels.target()))
                .append("\" data-scenario=\"").append(escape(levels.scenario())).append("\"><tr><th>").append(intended ? "TTFT from intended start" : "TTFT")
                .append("</th><th>n</th>");
        for (String name : PercentileSummary.NAMES) sb.append("<th>").append(name).append("</th>");
        sb.append("<th>max</th></tr>\n");
        boolean any = false;
        for (StepResult r : levels.steps()) {
            StepCharts c = levels.charts().get(r.identity().stepId());
            if (c == null) continue;
            any = true;
            PercentileSummary s = PercentileSummary.of(c.histograms().total(judged), StepHistograms.displayFactor(judged, r.identity().timeScale()));
            sb.append("<tr data-level=\"").append(escape(r.levelLabel())).append("\"><td>").append(escape(levels.legend(r)))
                    .append("</td><td class=\"n\">").append(String.format(Locale.ROOT, "%,d", s.count())).append("</td>");
            for (int i = 0; i < s.values().length; i++) cell(sb, PercentileSummary.NAMES[i], s.values()[i]);
            cell(sb, "max", s.max());
            sb.append("</tr>\n");
        }
        return any ? sb.append("</table>\n").toString() : "";
    }

    /** A value with its exact number in {@code data-v}; "—" and no number where there is none. */
    private static void cell(StringBuilder sb, String name, double v) {
        sb.append("<td class=\"n\" data-p=\"").append(name).append('"').append(Double.isNaN(v) ? "" : " data-v=\"" + v + "\"").append('>')
                .append(escape(PercentileSummary.format(v, "ms"))).append("</td>");
    }
}
