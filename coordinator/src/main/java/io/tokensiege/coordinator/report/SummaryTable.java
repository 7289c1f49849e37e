package io.tokensiege.coordinator.report;

import io.tokensiege.common.analysis.Collapse;
import io.tokensiege.common.analysis.Flag;
import io.tokensiege.common.analysis.RunVerdict;
import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.plan.Plan;
import io.tokensiege.common.plan.Target;
import io.tokensiege.coordinator.event.Failure;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The side-by-side table a user came for (docs/context.md's layout): one column per target, rows per
 * scenario — cold and warm TTFT, decode rates, aggregate throughput per concurrency level — then
 * flags and failures. A padded Markdown table, so it reads the same in a terminal and in summary.md. Its rows are
 * {@link SummaryRows}'.
 */
public final class SummaryTable {
    private SummaryTable() {}

    public static String markdown(Plan plan, List<StepResult> results, List<Failure> failures, RunVerdict verdict) {
        return markdown(plan, results, failures, verdict, Map.of());
    }

    /** With {@code serverNotes}: per target, what was learned about the server (sizing, context, connection habits). */
    public static String markdown(Plan plan, List<StepResult> results, List<Failure> failures, RunVerdict verdict, Map<String, List<String>> serverNotes) {
        StringBuilder sb = new StringBuilder("# tokensiege: ").append(plan.name()).append("\n\n");
        List<String> simulated = plan.targets().stream().filter(Target::isSimulated).map(t -> t.name() + " (x" + fmt(t.timeScale()) + ")").toList();
        if (!simulated.isEmpty()) {
            sb.append("> **SIMULATED** targets: ").append(String.join(", ", simulated))
                    .append(". Their numbers come from the built-in simulator, not from a real server; times are shown in simulated time.\n\n");
        }
        sb.append(table(plan, results)).append('\n');
        if (!verdict.collapses().isEmpty()) {
            sb.append("## Where it collapses\n\n");
            for (Collapse c : verdict.collapses()) sb.append("- ").append(c.line()).append('\n');
            sb.append('\n');
        }
        List<String> repeats = RepeatSection.lines(plan, results);
        if (!repeats.isEmpty()) {
            sb.append("## Repeats (mean over repeats, 95 % interval)\n\n");
            for (String l : repeats) sb.append("- ").append(l).append('\n');
            sb.append('\n');
        }
        if (!verdict.sloVerdicts().isEmpty()) {
            sb.append("## SLO verdict\n\n");
            verdict.sloVerdicts().forEach((t, v) -> sb.append("- **").append(t).append("**: ").append(v).append('\n'));
            sb.append('\n');
        }
        if (serverNotes.values().stream().anyMatch(l -> !l.isEmpty())) {
            sb.append("## The servers\n\n");
            serverNotes.forEach((t, lines) -> lines.forEach(l -> sb.append("- **").append(t).append("**: ").append(l).append('\n')));
            sb.append('\n');
        }
        List<Flag> flags = results.stream().flatMap(r -> r.checks().flags().stream()).toList();
        if (!flags.isEmpty()) {
            sb.append("## Flags (numbers to doubt)\n\n");
            for (Flag f : flags) sb.append("- **").append(f.code()).append("** `").append(f.stepId()).append("`: ").append(f.message()).append('\n');
            sb.append('\n');
        }
        List<StepResult> partial = results.stream().filter(res -> res.checks().partial()).toList();
        if (!partial.isEmpty()) {
            sb.append("## Partial steps\n\n");
            for (StepResult r : partial) sb.append("- `").append(r.identity().stepId()).append("`: ").append(r.checks().partialReason()).append('\n');
            sb.append('\n');
        }
        if (!failures.isEmpty()) {
            sb.append("## Failures\n\n");
            for (Failure f : failures) {
                sb.append("- ").append(f.kind()).append(f.terminal() ? " (terminal)" : "").append(f.stepId() == null ? "" : " `" + f.stepId() + "`")
                        .append(": ").append(f.message()).append('\n');
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    static String table(Plan plan, List<StepResult> results) {
        return render(plan.targets().stream().map(Target::name).toList(), plan, SummaryRows.of(plan, results));
    }

    private static String render(List<String> targets, Plan plan, List<SummaryRows.Row> rows) {
        List<String> header = new ArrayList<>();
        header.add("metric");
        for (String t : targets) {
            boolean sim = plan.targets().stream().anyMatch(x -> x.name().equals(t) && x.isSimulated());
            header.add(t + (sim ? " (sim)" : ""));
        }
        int[] width = new int[header.size()];
        for (int i = 0; i < header.size(); i++) width[i] = header.get(i).length();
        for (SummaryRows.Row r : rows) {
            width[0] = Math.max(width[0], r.label().length());
            for (int i = 0; i < targets.size(); i++) width[i + 1] = Math.max(width[i + 1], r.cells().getOrDefault(targets.get(i), "-").length());
        }
        StringBuilder sb = new StringBuilder();
        line(sb, header, width);
        List<String> dashes = new ArrayList<>();
        for (int w : width) dashes.add("-".repeat(w));
        line(sb, dashes, width);
        for (SummaryRows.Row r : rows) {
            List<String> cells = new ArrayList<>();
            cells.add(r.label());
            for (String t : targets) cells.add(r.cells().getOrDefault(t, "-"));
            line(sb, cells, width);
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<String> cells, int[] width) {
        sb.append('|');
        for (int i = 0; i < cells.size(); i++) {
            String c = cells.get(i);
            sb.append(' ').append(i == 0 ? pad(c, width[i]) : padLeft(c, width[i])).append(" |");
        }
        sb.append('\n');
    }

    private static String pad(String s, int w) {
        return s + " ".repeat(Math.max(0, w - s.length()));
    }

    private static String padLeft(String s, int w) {
        return " ".repeat(Math.max(0, w - s.length())) + s;
    }

    static String ms(Double v) {
        if (v == null || v.isNaN()) return "n/a";
        return String.format(Locale.ROOT, "%,.0f ms", v);
    }

    static String fmt(double v) {
        if (Double.isNaN(v)) return "n/a";
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.1f", v);
    }
}
