package io.tokensiege.coordinator.report;

import static io.tokensiege.coordinator.report.Html.escape;

import io.tokensiege.common.analysis.Collapse;
import io.tokensiege.common.analysis.Flag;
import io.tokensiege.common.analysis.RunVerdict;
import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.plan.Plan;
import io.tokensiege.common.plan.Scenario;
import io.tokensiege.common.plan.Slo;
import io.tokensiege.common.plan.Target;
import io.tokensiege.common.protocol.Version;
import io.tokensiege.coordinator.event.Failure;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code report.html} (docs/design.md §7): the run on one self-contained page (inline CSS and SVG, no script and no external
 * file), so it opens offline and can be mailed or archived as it is. The answer comes first: a PARTIAL banner while the
 * run goes on, when and with what it ran, then a card per target ({@link TargetCards}) and what each server said about
 * itself. Then per sweep the curves against the load
 * (SLO lines, collapse markers) and per target its merged histograms drawn level by level ({@link SweepDetail}), the
 * side-by-side table, collapse lines, repeats, flags with their legend, partial steps and failures.
 *
 * <p>Stable hooks for tests and browsers: {@code p.partial-banner}, {@code section.target-card[data-target]},
 * {@code svg.sweep-chart[data-metric]}, {@code svg.histogram-chart[data-metric=ttft|ttft_intended|itl|e2e|decode_rate][data-target][data-scenario]},
 * {@code svg.ttft-over-time}, {@code svg.send-order}, {@code svg.turn-ttft}, {@code svg.turn-cached}, {@code table.percentile-table}; points are
 * {@code circle.pt} with {@code data-*} values, SLO lines {@code line.slo-line}, collapse markers {@code line.collapse-marker}.
 * Well-formed XML, so a test can parse it; every text from the run is escaped.
 */
public final class HtmlReport {
    private static final String STYLE = ".simulated,.partial-banner,.ended-banner{background:#fff3cd;border:1px solid #e0c060;padding:.6em 1em;border-radius:4px}"
            + ".partial-banner{background:#ffe0e0;border-color:#d08080}.sim-badge{font-size:.7em;background:#e0c060;border-radius:3px;padding:0 .3em}"
            + ".cards{display:flex;flex-wrap:wrap;gap:1em}.target-card{border:1px solid #ccc;border-radius:6px;padding:.4em 1em;flex:1 1 320px}"
            + ".target-card h3{margin:.3em 0}.model{color:#666;font-size:.9em}.slo-words{color:#444}"
            + "td.n{text-align:right}.charts{display:flex;flex-wrap:wrap;gap:1.2em}svg text{font:11px system-ui,sans-serif}"
            + "a.flag{text-decoration:none}dt{font-weight:bold;margin-top:.4em}details pre{max-height:24em;overflow:auto;font-size:.8em}";

    private HtmlReport() {}

    /** The page from the results alone, as of a finished run: no histograms drawn, nothing said about workers or servers. */
    public static String render(Plan plan, List<StepResult> results, List<Failure> failures, RunVerdict verdict) {
        RunFacts none = new RunFacts("", "finished", 0, Version.current(), RunFacts.workers(null, results), Map.of(), Map.of(),
                results.size());
        return render(plan, results, failures, verdict, none, Map.of());
    }

    public static String render(Plan plan, List<StepResult> results, List<Failure> failures, RunVerdict verdict, RunFacts facts,
                                Map<String, StepCharts> charts) {
        StringBuilder sb = Html.page("tokensiege: " + plan.name(), STYLE, "");
        Set<String> simulated = RunHeader.simulated(plan, facts.servers());
        sb.append(RunHeader.banner(facts, results.size()));
        sb.append(RunHeader.line(facts, simulated));
        sb.append("<h2>The answer</h2>\n").append(TargetCards.html(plan, results, verdict, simulated));
        sb.append(RunHeader.targets(plan, facts, simulated));
        for (Scenario scenario : plan.scenarios()) {
            List<StepResult> mine = results.stream().filter(r -> r.identity().scenario().equals(scenario.name())).toList();
            if (!scenario.isSweep() || mine.isEmpty()) continue;
            sb.append(sweep(plan, scenario, mine, verdict.collapses(), charts));
        }
        sb.append("<h2>Side by side</h2>\n").append(table(plan, results));
        list(sb, "Where it collapses", verdict.collapses().stream().map(Collapse::line).toList());
        list(sb, "Repeats (mean over repeats, 95 % interval)", RepeatSection.lines(plan, results));
        List<Flag> flags = results.stream().flatMap(r -> r.checks().flags().stream()).toList();
        sb.append(FlagGlossary.legend(flags));
        if (!flags.isEmpty()) {
            sb.append("<h2>Flags (numbers to doubt)</h2>\n<ul class=\"flags\">");
            for (Flag f : flags) {
                sb.append("<li><a href=\"#").append(Anchors.flag(f.code())).append("\">").append(escape(f.code())).append("</a> ")
                        .append(escape(f.stepId() + ": " + f.message())).append("</li>");
            }
            sb.append("</ul>\n");
        }
        list(sb, "Partial steps", results.stream().filter(res -> res.checks().partial()).map(r -> r.identity().stepId() + ": " + r.checks().partialReason()).toList());
        list(sb, "Failures", failures.stream().map(f -> f.kind() + (f.terminal() ? " (terminal)" : "")
                + (f.stepId() == null ? "" : " " + f.stepId()) + ": " + f.message()).toList());
        return sb.append("</body></html>\n").toString();
    }

    /** One sweep: its curves against the load for every target, then each target's histograms level by level. */
    private static String sweep(Plan plan, Scenario scenario, List<StepResult> mine, List<Collapse> collapses, Map<String, StepCharts> charts) {
        List<Collapse> ofSweep = collapses.stream().filter(c -> c.scenario().equals(scenario.name())).toList();
        String unit = scenario.load().isOpen() ? "requests/s" : scenario.load().isSessions() ? "concurrent sessions" : "concurrent streams";
        Slo slo = plan.slo() == null ? Slo.NONE : plan.slo();
        StringBuilder sb = new StringBuilder("<h2>").append(escape(scenario.name())).append(": against the load</h2>\n<div class=\"charts\">");
        sb.append(new SweepChart("aggregate tok/s", "aggregate_tok_s", "", unit, plan, mine).line("", res -> res.throughput().aggregateTokS()).collapses(ofSweep).svg());
        String ttft = scenario.load().isOpen() ? "TTFT from intended start: p50 solid, p95 dashed" : "TTFT: p50 solid, p95 dashed";
        sb.append(new SweepChart(ttft, "ttft", "ms", unit, plan, mine)
                .line("", r -> r.userTtftMs().p50()).line("6 4", r -> r.userTtftMs().p95())
                .threshold(slo.ttftP50Millis(), "SLO p50").threshold(slo.ttftP95Millis(), "SLO p95").collapses(ofSweep).svg());
        sb.append(new SweepChart("decode p50 tok/s per request", "decode_rate", "", unit, plan, mine).line("", r -> r.dist().decodeTokS().p50())
                .threshold(slo.decodeP50TokS(), "SLO").collapses(ofSweep).svg());
        sb.append("</div>\n");
        for (Target t : plan.targets()) {
            List<StepResult> levels = SweepLevels.of(mine, t.name(), scenario.name());
            if (levels.isEmpty()) continue;
            Collapse c = ofSweep.stream().filter(x -> x.target().equals(t.name())).findFirst().orElse(null);
            sb.append(SweepDetail.html(new SweepLevels(t.name(), scenario.name(), levels, charts, c, plan.slo())));
        }
        return sb.toString();
    }

    private static String table(Plan plan, List<StepResult> results) {
        StringBuilder sb = new StringBuilder("<table class=\"side-by-side\"><tr><th>metric</th>");
        for (Target t : plan.targets()) sb.append("<th>").append(escape(t.name() + (t.isSimulated() ? " (sim)" : ""))).append("</th>");
        sb.append("</tr>\n");
        for (SummaryRows.Row row : SummaryRows.of(plan, results)) {
            sb.append("<tr><td>").append(escape(row.label())).append("</td>");
            for (Target t : plan.targets()) {
                String cell = row.cells().getOrDefault(t.name(), "-");
                sb.append("<td class=\"n\" data-target=\"").append(escape(t.name())).append("\">").append(escape(cell.replace(" ⚑", "")));
                for (String code : row.flagCodes().getOrDefault(t.name(), Set.of())) {
                    sb.append(" <a class=\"flag\" href=\"#").append(Anchors.flag(code)).append("\" title=\"").append(escape(code)).append("\">⚑</a>");
                }
                sb.append("</td>");
            }
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
}
