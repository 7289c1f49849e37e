package io.tokensiege.coordinator.report;

import static io.tokensiege.coordinator.report.Html.escape;

import io.tokensiege.common.analysis.Collapse;
import io.tokensiege.common.analysis.Flag;
import io.tokensiege.common.analysis.RunVerdict;
import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.plan.Plan;
import io.tokensiege.common.plan.Scenario;
import io.tokensiege.common.plan.Target;
import io.tokensiege.coordinator.run.Failure;
import java.util.List;
import java.util.Locale;

/**
 * {@code report.html} (docs/design.md §7): the run on one self-contained page — inline CSS and SVG, no
 * script and no external file, so it can be mailed or archived as it is. Curves per sweep (aggregate
 * tok/s and TTFT against the load level, one line per target), then the same side-by-side table as
 * summary.md, the collapse lines, the SLO verdict, flags and failures. Well-formed XML, so a test can
 * parse it; every text from the run is escaped.
 */
public final class HtmlReport {
    private static final String STYLE = ".simulated{background:#fff3cd;border:1px solid #e0c060;padding:.6em 1em;border-radius:4px}"
            + "td.n{text-align:right}.charts{display:flex;flex-wrap:wrap;gap:1.5em}svg text{font:11px system-ui,sans-serif}";

    private HtmlReport() {}

    public static String render(Plan plan, List<StepResult> results, List<Failure> failures, RunVerdict verdict) {
        StringBuilder sb = Html.page("tokensiege: " + plan.name(), STYLE, "");
        List<String> simulated = plan.targets().stream().filter(Target::isSimulated).map(Target::name).toList();
        if (!simulated.isEmpty()) {
            sb.append("<p class=\"simulated\"><strong>SIMULATED</strong> targets: ").append(escape(String.join(", ", simulated)))
                    .append(". Their numbers come from the built-in simulator, not from a real server; times are shown in simulated time.</p>\n");
        }
        for (Scenario scenario : plan.scenarios()) {
            List<StepResult> mine = results.stream().filter(r -> r.scenario().equals(scenario.name())).toList();
            if (!scenario.isSweep() || mine.isEmpty()) continue;
            String unit = scenario.load().isOpen() ? "requests/s" : "concurrent streams";
            sb.append("<h2>").append(escape(scenario.name())).append(": against the load</h2>\n<div class=\"charts\">");
            sb.append(new SweepChart("aggregate tok/s", unit, plan, mine).line("", StepResult::aggregateTokS).svg());
            sb.append(new SweepChart("TTFT ms: p50 solid, p95 dashed", unit, plan, mine)
                    .line("", r -> r.ttftMs().p50()).line("6 4", r -> r.ttftMs().p95()).svg());
            sb.append(new SweepChart("decode p50 tok/s per request", unit, plan, mine).line("", r -> r.decodeTokS().p50()).svg());
            sb.append("</div>\n");
        }
        sb.append("<h2>Side by side</h2>\n").append(table(plan, results));
        list(sb, "Where it collapses", verdict.collapses().stream().map(Collapse::line).toList());
        list(sb, "Repeats (median over repeats, bootstrap 95 % interval)", RepeatSection.lines(plan, results));
        list(sb, "SLO verdict", verdict.sloVerdicts().entrySet().stream().map(e -> e.getKey() + ": " + e.getValue()).toList());
        list(sb, "Flags (numbers to doubt)", results.stream().flatMap(r -> r.flags().stream())
                .map((Flag f) -> f.code() + " " + f.stepId() + ": " + f.message()).toList());
        list(sb, "Partial steps", results.stream().filter(StepResult::partial).map(r -> r.stepId() + ": " + r.partialReason()).toList());
        list(sb, "Failures", failures.stream().map(f -> f.kind() + (f.terminal() ? " (terminal)" : "")
                + (f.stepId() == null ? "" : " " + f.stepId()) + ": " + f.message()).toList());
        return sb.append("</body></html>\n").toString();
    }

    private static String table(Plan plan, List<StepResult> results) {
        StringBuilder sb = new StringBuilder("<table><tr><th>metric</th>");
        for (Target t : plan.targets()) sb.append("<th>").append(escape(t.name() + (t.isSimulated() ? " (sim)" : ""))).append("</th>");
        sb.append("</tr>\n");
        for (SummaryTable.Row row : SummaryTable.rows(plan, results)) {
            sb.append("<tr><td>").append(escape(row.label())).append("</td>");
            for (Target t : plan.targets()) sb.append("<td class=\"n\">").append(escape(row.cells().getOrDefault(t.name(), "-"))).append("</td>");
            sb.append("</tr>\n");
        }
        return sb.append("</table>\n").toString();
    }

    private static void list(StringBuilder sb, String title, List<String> items) {
        if (items.isEmpty()) return;
        sb.append("<h2>").append(escape(title)).append("</h2>\n<ul>");
        for (String item : items) sb.append("<li>").append(escape(item)).append("</li>");
        sb.append("</ul>\n");
    }

    static String num(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
