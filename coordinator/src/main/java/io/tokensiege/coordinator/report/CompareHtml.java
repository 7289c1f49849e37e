package io.tokensiege.coordinator.report;

import static io.tokensiege.coordinator.report.Html.escape;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.common.analysis.RepeatStats;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * {@code compare.html}: run B against run A on one self-contained page (inline SVG, no script): the comparison as the
 * terminal prints it, then for every sweep both runs have, its curves against the load overlaid (A solid, B dashed; the
 * mean over repeats at each level) with each run's collapse level marked. Well-formed XML.
 */
public final class CompareHtml {
    private static final String A_COLOUR = "#1f77b4";
    private static final String B_COLOUR = "#d62728";

    private record Curve(String title, String metric, String unit, Function<JsonNode, JsonNode> value) {}

    private static final List<Curve> CURVES = List.of(
            new Curve("aggregate tok/s", "aggregate_tok_s", "", s -> s.path("aggregate_tok_s")),
            new Curve("TTFT p50", "ttft_p50", "ms", s -> s.at("/ttft_ms/p50")),
            new Curve("TTFT p95", "ttft_p95", "ms", s -> s.at("/ttft_ms/p95")),
            new Curve("decode p50 tok/s per request", "decode_rate", "", s -> s.at("/decode_tok_s/p50")));

    private CompareHtml() {}

    /** {@code text} is what {@link RunComparison#render} printed. */
    public static String render(JsonNode a, JsonNode b, String text) {
        String idA = a.path("run_id").asText();
        String idB = b.path("run_id").asText();
        StringBuilder sb = Html.page("tokensiege: " + idB + " (B) against " + idA + " (A)", ".charts{display:flex;flex-wrap:wrap;gap:1.2em}svg text{font:11px system-ui,sans-serif}", "");
        sb.append("<pre class=\"comparison\">").append(escape(text)).append("</pre>\n");
        Map<String, String> targetOfB = RunComparison.matchedTargets(a, b);
        targetOfB.forEach((ta, tb) -> {
            for (String scenario : sweeps(a, ta)) {
                if (!sweeps(b, tb).contains(scenario)) continue;
                sb.append("<h2>").append(escape(ta + (ta.equals(tb) ? "" : " (A) / " + tb + " (B)") + " / " + scenario)).append(": A solid, B dashed</h2>\n<div class=\"charts\">");
                for (Curve c : CURVES) sb.append(chart(c, a, ta, b, tb, scenario, idA, idB));
                sb.append("</div>\n");
            }
        });
        return sb.append("</body></html>\n").toString();
    }

    private static String chart(Curve c, JsonNode a, String ta, JsonNode b, String tb, String scenario, String idA, String idB) {
        TreeSet<Double> levels = new TreeSet<>();
        levels.addAll(levels(a, ta, scenario));
        levels.addAll(levels(b, tb, scenario));
        List<Double> order = List.copyOf(levels);
        List<XyChart.Point> pa = points(a, ta, scenario, c, order, "A");
        List<XyChart.Point> pb = points(b, tb, scenario, c, order, "B");
        List<Double> values = new ArrayList<>();
        pa.forEach(p -> values.add(p.y()));
        pb.forEach(p -> values.add(p.y()));
        XyChart chart = new XyChart(c.title(), "compare-chart", Map.of("metric", c.metric(), "scenario", scenario),
                Axis.categories(order.stream().map(SweepChart::levelLabel).toList()), "load level",
                Axis.of(values.stream().mapToDouble(Double::doubleValue).toArray(), c.unit()));
        chart.series(new XyChart.Series("A " + idA, A_COLOUR, "", 1.8, true, pa, Map.of("run", "A")));
        chart.series(new XyChart.Series("B " + idB, B_COLOUR, "6 4", 1.8, true, pb, Map.of("run", "B")));
        marker(chart, a, ta, scenario, order, "A collapses", A_COLOUR);
        marker(chart, b, tb, scenario, order, "B collapses", B_COLOUR);
        return chart.svg();
    }

    private static void marker(XyChart chart, JsonNode run, String target, String scenario, List<Double> order, String label, String colour) {
        for (JsonNode c : run.path("collapse")) {
            if (!c.path("target").asText().equals(target) || !c.path("scenario").asText().equals(scenario) || !c.path("collapse_level").isNumber()) continue;
            int i = order.indexOf(c.path("collapse_level").asDouble());
            if (i >= 0) chart.marker(i, label, colour, Map.of("run", label.substring(0, 1), "level", SweepChart.levelLabel(order.get(i))));
        }
    }

    /** The mean over repeats at each level; a level the run does not have is left out. */
    private static List<XyChart.Point> points(JsonNode run, String target, String scenario, Curve c, List<Double> order, String which) {
        List<XyChart.Point> out = new ArrayList<>();
        for (int i = 0; i < order.size(); i++) {
            double level = order.get(i);
            double[] v = steps(run, target, scenario).stream().filter(s -> level(s) == level).map(c.value())
                    .filter(JsonNode::isNumber).mapToDouble(JsonNode::asDouble).toArray();
            if (v.length == 0) continue;
            double mean = RepeatStats.meanOf(v);
            out.add(new XyChart.Point(i, mean, Map.of("run", which, "level", SweepChart.levelLabel(level), "v", Double.toString(mean))));
        }
        return out;
    }

    private static Set<String> sweeps(JsonNode run, String target) {
        Set<String> out = new LinkedHashSet<>();
        for (JsonNode s : run.path("steps")) if (s.path("target").asText().equals(target) && isSweepLevel(s)) out.add(s.path("scenario").asText());
        return out;
    }

    private static List<JsonNode> steps(JsonNode run, String target, String scenario) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode s : run.path("steps")) {
            if (s.path("target").asText().equals(target) && s.path("scenario").asText().equals(scenario) && isSweepLevel(s)) out.add(s);
        }
        return out;
    }

    private static Set<Double> levels(JsonNode run, String target, String scenario) {
        Set<Double> out = new LinkedHashSet<>();
        steps(run, target, scenario).forEach(s -> out.add(level(s)));
        return out;
    }

    private static boolean isSweepLevel(JsonNode s) {
        return switch (s.path("kind").asText()) {
            case "CLOSED", "OPEN", "SESSIONS" -> true;
            default -> false;
        };
    }

    private static double level(JsonNode s) {
        return "OPEN".equals(s.path("kind").asText()) ? s.at("/open/requested_rate").asDouble() : s.path("concurrency").asDouble();
    }
}
