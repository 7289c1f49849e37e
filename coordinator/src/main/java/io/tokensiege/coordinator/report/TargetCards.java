package io.tokensiege.coordinator.report;

import static io.tokensiege.coordinator.report.Html.escape;

import io.tokensiege.common.analysis.Collapse;
import io.tokensiege.common.analysis.KneeFinder;
import io.tokensiege.common.analysis.RunVerdict;
import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.plan.Plan;
import io.tokensiege.common.plan.Scenario;
import io.tokensiege.common.plan.Slo;
import io.tokensiege.common.plan.Target;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The answer first: one card per target ({@code section.target-card}) that says, per sweep, up to which level it is usable,
 * where it collapses and why, and how many requests the server decoded at once, e.g. "usable up to 8 streams; collapses at
 * 16: decode p50 12.2 &lt; 20 tok/s; ~16 decoded at once". The SLO is said level by level ("met up to 8 streams; broken from
 * 16 streams: ..."), so it can never stand as a bare "MEETS" beside a collapse.
 */
final class TargetCards {
    private TargetCards() {}

    static String html(Plan plan, List<StepResult> results, RunVerdict verdict, Set<String> simulated) {
        StringBuilder sb = new StringBuilder("<div class=\"cards\">\n");
        for (Target t : plan.targets()) sb.append(card(plan, t, results, verdict, simulated.contains(t.name())));
        sb.append("</div>\n");
        if (plan.slo() != null && !plan.slo().isEmpty()) sb.append("<p class=\"slo-definition\">SLO of the plan: ").append(escape(describe(plan.slo()))).append("</p>\n");
        return sb.toString();
    }

    private static String card(Plan plan, Target t, List<StepResult> results, RunVerdict verdict, boolean simulated) {
        List<StepResult> mine = results.stream().filter(r -> r.identity().target().equals(t.name())).toList();
        StringBuilder sb = new StringBuilder("<section class=\"target-card\" id=\"").append(Anchors.card(t.name())).append("\" data-target=\"")
                .append(escape(t.name())).append("\"><h3>").append(escape(t.name()));
        if (simulated) sb.append(" <span class=\"sim-badge\">SIMULATED</span>");
        String model = t.model() != null ? t.model() : t.isSimulated() ? "simulated profile " + t.simulated().profile() : "model not named";
        sb.append("</h3>\n<p class=\"model\">").append(escape(model + (t.url() == null ? "" : " at " + t.url()))).append("</p>\n");
        if (mine.isEmpty()) return sb.append("<p class=\"no-steps\">No step of this target has finished yet.</p></section>\n").toString();
        boolean anySweep = false;
        for (Scenario s : plan.scenarios()) {
            if (!s.isSweep()) continue;
            Collapse c = verdict.collapses().stream().filter(x -> x.target().equals(t.name()) && x.scenario().equals(s.name())).findFirst().orElse(null);
            if (c == null) continue;
            anySweep = true;
            List<StepResult> levels = SweepLevels.of(results, t.name(), s.name());
            Unit unit = Unit.of(levels.get(levels.size() - 1));
            sb.append("<p class=\"collapse-line\" data-scenario=\"").append(escape(s.name())).append("\"><strong>").append(escape(s.name()))
                    .append("</strong>: ").append(escape(sentence(c, unit, levels.get(levels.size() - 1).level())))
                    .append(" <a href=\"#").append(Anchors.sweep(t.name(), s.name())).append("\">charts</a></p>\n");
            String words = sloWords(c, plan.slo(), unit);
            if (words != null) sb.append("<p class=\"slo-words\" data-scenario=\"").append(escape(s.name())).append("\">").append(escape(words)).append("</p>\n");
        }
        String v = verdict.sloVerdicts().get(t.name());
        // Without sweeps the verdict is the SLO's word; with them, only a verdict that nothing was measured adds to the sweeps' lines.
        if (v != null && (!anySweep || v.startsWith("FAILS:") || v.startsWith("NOT MEASURED"))) {
            sb.append("<p class=\"slo-words\">").append(escape(v)).append("</p>\n");
        }
        Set<String> codes = new LinkedHashSet<>();
        mine.forEach(r -> r.checks().flags().forEach(f -> codes.add(f.code())));
        if (!codes.isEmpty()) {
            sb.append("<p class=\"card-flags\">⚑ numbers to doubt:");
            for (String code : codes) sb.append(" <a href=\"#").append(Anchors.flag(code)).append("\">").append(escape(code)).append("</a>");
            sb.append("</p>\n");
        }
        return sb.append("</section>\n").toString();
    }

    /** How a sweep's levels are counted: "8 streams", "4 sessions", "2 req/s". */
    record Unit(String one, String many) {
        static Unit of(StepResult r) {
            if (r.open() != null) return new Unit("req/s", "req/s");
            return "SESSIONS".equals(r.identity().kind()) ? new Unit("session", "sessions") : new Unit("stream", "streams");
        }

        String of(double level) {
            return SweepChart.levelLabel(level) + " " + (level == 1 ? one : many);
        }
    }

    /** "usable up to 8 streams; collapses at 16: decode p50 12.2 < 20 tok/s; ~16 decoded at once". */
    static String sentence(Collapse c, Unit unit, double topLevel) {
        List<String> parts = new ArrayList<>();
        parts.add(c.usableConcurrency() == null ? "usable at no level" : "usable up to " + unit.of(c.usableConcurrency()));
        String why = c.why() == null ? c.rule() : c.why();
        boolean judged = !KneeFinder.NO_SUCCESS.equals(c.rule()) && !KneeFinder.NOT_JUDGED.equals(c.rule());
        if (c.collapseLevel() == null) parts.add("no collapse up to " + unit.of(topLevel));
        else if (KneeFinder.NO_SUCCESS.equals(c.rule())) parts.add("fails at " + SweepChart.levelLabel(c.collapseLevel()) + ": " + why);
        else if (KneeFinder.NOT_JUDGED.equals(c.rule())) parts.add("not judged from " + SweepChart.levelLabel(c.collapseLevel()) + ": " + why);
        else parts.add("collapses at " + SweepChart.levelLabel(c.collapseLevel()) + ": " + why);
        if (c.parallelism() != null && judged) { // a level without successes, or cut short, says nothing of the server's parallelism
            parts.add(String.format(Locale.ROOT, "~%d decoded at once%s", Math.max(1, Math.round(c.parallelism())),
                    c.collapseLevel() == null ? " at " + unit.of(topLevel) : ""));
        }
        return String.join("; ", parts);
    }

    /** The SLO level by level: "SLO met up to 8 streams; broken from 16 streams: decode p50 12.2 < 20 tok/s"; null without an SLO. */
    static String sloWords(Collapse c, Slo slo, Unit unit) {
        if (slo == null || slo.isEmpty() || c.levels().isEmpty()) return null;
        List<Collapse.Level> levels = c.levels();
        for (int i = 0; i < levels.size(); i++) {
            Collapse.Level l = levels.get(i);
            if (l.sloBreaches() == null || l.sloBreaches().isEmpty()) continue;
            String breaches = String.join(", ", l.sloBreaches());
            if (i == 0) return "SLO not met even at " + unit.of(l.level()) + ": " + breaches;
            return "SLO met up to " + unit.of(levels.get(i - 1).level()) + "; broken from " + unit.of(l.level()) + ": " + breaches;
        }
        return "SLO met at every level measured, up to " + unit.of(levels.get(levels.size() - 1).level());
    }

    static String describe(Slo slo) {
        List<String> parts = new ArrayList<>();
        if (slo.ttftP50Millis() != null) parts.add("TTFT p50 ≤ " + Axis.label(slo.ttftP50Millis(), "ms"));
        if (slo.ttftP95Millis() != null) parts.add("TTFT p95 ≤ " + Axis.label(slo.ttftP95Millis(), "ms"));
        if (slo.decodeP50TokS() != null) parts.add("decode p50 ≥ " + Axis.label(slo.decodeP50TokS(), "") + " tok/s per request");
        if (slo.errorRate() != null) parts.add("errors ≤ " + Axis.label(100 * slo.errorRate(), "%"));
        return String.join(", ", parts);
    }
}
