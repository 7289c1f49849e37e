package io.tokensiege.coordinator.report;

import static io.tokensiege.coordinator.report.SummaryTable.fmt;
import static io.tokensiege.coordinator.report.SummaryTable.ms;

import io.tokensiege.common.analysis.Collapse;
import io.tokensiege.common.analysis.KneeFinder;
import io.tokensiege.common.analysis.RepeatedSweep;
import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.plan.Plan;
import io.tokensiege.common.plan.Scenario;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The rows of the side-by-side summary table, per scenario in plan order: what each sweep carries and what breaks next,
 * then its figures per level (or per rate, trace or sequence). Shared by summary.md ({@link SummaryTable}) and report.html.
 */
final class SummaryRows {
    private SummaryRows() {}

    /** One row of the side-by-side table: a label, a cell per target name, and per target the flag codes behind its ⚑. */
    record Row(String label, Map<String, String> cells, Map<String, java.util.Set<String>> flagCodes) {}

    /** The table's rows, in plan order; shared by summary.md and report.html. */
    static List<Row> of(Plan plan, List<StepResult> results) {
        List<Row> rows = new ArrayList<>();
        for (var scenario : plan.scenarios()) {
            String s = scenario.name();
            List<StepResult> mine = results.stream().filter(r -> r.identity().scenario().equals(s)).toList();
            if (mine.isEmpty()) continue;
            if (scenario.isSweep() && scenario.trace() == null) rows.add(sweepAnswer(plan, scenario, mine));
            if (mine.stream().anyMatch(r -> r.promptSize() != null)) {
                rows.add(row(s + ": prompt tokens asked / counted by the server", firstPerTarget(mine), SummaryRows::promptSize));
            }
            if (mine.stream().anyMatch(r -> r.server() != null) && !scenario.isSweep()) {
                rows.add(row(s + ": server's own decode p50, in our n - 1 definition (client's gap, median per request) / prompt time p50 / prompt tokens cached", mine, SummaryRows::serverView));
            }
            if (scenario.isSweep() && scenario.load().isOpen()) {
                for (double rate : scenario.load().rate()) {
                    List<StepResult> at = mine.stream().filter(r -> r.open() != null && r.open().requestedRate() == rate).toList();
                    String l = s + " @" + io.tokensiege.common.protocol.StepSpec.rateLabel(rate) + " req/s";
                    rows.add(row(l + ": achieved req/s (not sent)", at, r -> String.format(Locale.ROOT, "%.2f (%d)", r.open().achievedRate(), r.open().notSent())));
                    rows.add(row(l + ": TTFT p50 from intended / from send", at, r -> ms(r.open().ttftIntendedMs().p50()) + " / " + ms(r.dist().ttftMs().p50())));
                    rows.add(row(l + ": schedule lag p50 / p99", at, r -> ms(r.open().lagP50Ms()) + " / " + ms(r.open().lagP99Ms())));
                    rows.add(row(l + ": aggregate tok/s", at, r -> fmt(r.throughput().aggregateTokS())));
                    rows.add(row(l + ": decode p50 tok/s", at, r -> fmt(r.dist().decodeTokS().p50())));
                    rows.add(row(l + ": errors", at, SummaryRows::errors));
                }
            } else if (scenario.isSweep()) {
                // Planned levels and any the refinement added, in order.
                List<Integer> levels = mine.stream().map(res -> res.identity().concurrency()).distinct().sorted().toList();
                for (int c : levels) {
                    List<StepResult> at = mine.stream().filter(r -> r.open() == null && r.identity().concurrency() == c).toList();
                    rows.add(row(s + " @" + c + ": aggregate tok/s", at, r -> fmt(r.throughput().aggregateTokS())));
                    rows.add(row(s + " @" + c + ": TTFT p50 / p95", at, r -> ms(r.dist().ttftMs().p50()) + " / " + ms(r.dist().ttftMs().p95())));
                    rows.add(row(s + " @" + c + ": decode p50 tok/s", at, r -> fmt(r.dist().decodeTokS().p50())));
                    rows.add(row(s + " @" + c + ": errors", at, SummaryRows::errors));
                    java.util.Set<String> parts = new java.util.LinkedHashSet<>();
                    at.forEach(r -> { if (r.parts() != null) parts.addAll(r.parts().keySet()); });
                    for (String part : parts) {
                        rows.add(row(s + " @" + c + ": " + part + " TTFT p50 / p95, decode p50 (n)", at, r -> partCell(r, part)));
                    }
                    if (at.stream().anyMatch(r -> r.agents() != null)) {
                        rows.add(row(s + " @" + c + ": TTFT p50 cold (turn 1) / warm (turns 2+)", at,
                                r -> r.agents() == null ? "n/a" : ms(r.agents().coldTtftMs()) + " / " + ms(r.agents().warmTtftMs())));
                        rows.add(row(s + " @" + c + ": prompt cached, turns 2+ (server's count)", at, r -> r.agents() == null || r.agents().warmCachedShare() == null
                                ? "not reported" : String.format(Locale.ROOT, "%.0f%%", 100 * r.agents().warmCachedShare())));
                        if (at.stream().anyMatch(r -> r.agents() != null && (r.agents().toolCallTurns() > 0 || r.agents().requiredToolTurnsWithoutCall() > 0))) {
                            rows.add(row(s + " @" + c + ": tool calls per session / TTFT to a call p50 / malformed", at, SummaryRows::toolCalls));
                        }
                    }
                    if (at.stream().anyMatch(r -> r.server() != null)) rows.add(row(s + " @" + c + ": server's own decode p50, in our n - 1 definition (client's gap, median per request) / prompt time p50 / prompt tokens cached", at, SummaryRows::serverView));
                    if (plan.slo() != null && !plan.slo().isEmpty()) {
                        rows.add(row(s + " @" + c + ": goodput", at, r -> r.checks().goodput() == null ? "n/a" : String.format(Locale.ROOT, "%.0f%%", 100 * r.checks().goodput())));
                    }
                    rows.add(row(s + " @" + c + ": fairness (Jain decode, FIFO kept)", at, r -> r.fairness().jainDecode() == null ? "n/a"
                            : String.format(Locale.ROOT, "%.2f, %.0f%%", r.fairness().jainDecode(), 100 * (r.fairness().sendOrderKept() == null ? 1 : r.fairness().sendOrderKept()))
                            + (r.fairness().starved() > 0 ? ", " + r.fairness().starved() + " starved" : "")));
                }
            } else if (scenario.trace() != null) {
                String l = s + " (" + scenario.trace().source() + ", " + scenario.trace().timing().replace('_', ' ')
                        + (scenario.trace().timing().equals("scaled") ? " x" + io.tokensiege.common.protocol.StepSpec.rateLabel(scenario.trace().speed()) : "") + ")";
                rows.add(row(l + ": requests sent (not sent)", mine, r -> r.open() == null ? String.valueOf(r.outcome().requests())
                        : String.format(Locale.ROOT, "%d (%d)", r.open().scheduled() - r.open().notSent(), r.open().notSent())));
                rows.add(row(l + ": TTFT p50 from intended / from send", mine, r -> r.open() == null ? ms(r.dist().ttftMs().p50())
                        : ms(r.open().ttftIntendedMs().p50()) + " / " + ms(r.dist().ttftMs().p50())));
                rows.add(row(l + ": schedule lag p50 / p99", mine, r -> r.open() == null ? "n/a" : ms(r.open().lagP50Ms()) + " / " + ms(r.open().lagP99Ms())));
                rows.add(row(l + ": decode p50 tok/s", mine, r -> fmt(r.dist().decodeTokS().p50())));
                rows.add(row(l + ": errors", mine, SummaryRows::errors));
                java.util.Set<String> parts = new java.util.LinkedHashSet<>();
                mine.forEach(r -> { if (r.parts() != null) parts.addAll(r.parts().keySet()); });
                for (String part : parts) rows.add(row(s + ": " + part + " TTFT p50 / p95, decode p50 (n)", mine, r -> partCell(r, part)));
            } else if (scenario.prefix() != null) {
                rows.add(row(s + ": cold TTFT (turn 1)", mine, r -> ms(r.warm().coldTtftMs())));
                rows.add(row(s + ": warm TTFT p50 (turns 2+)", mine, r -> ms(r.warm().warmTtftMs())));
                rows.add(row(s + ": prompt cached (turns 2+)", mine, r -> r.warm().warmCachedShare() == null ? "not reported"
                        : String.format(Locale.ROOT, "%.0f%% (%,d of %,d)", 100 * r.warm().warmCachedShare(), r.warm().warmCachedTokens(), r.warm().warmPromptTokens())));
            } else {
                rows.add(row(s + ": TTFT p50", mine, r -> ms(r.dist().ttftMs().p50())));
                rows.add(row(s + ": decode p50 tok/s", mine, r -> fmt(r.dist().decodeTokS().p50())));
                rows.add(row(s + ": answers empty / cut at max_tokens / degenerate", mine, SummaryRows::sanity));
                if (mine.stream().anyMatch(r -> r.reasoningShare() != null && r.reasoningShare() > 0)) {
                    rows.add(row(s + ": TTFA p50 (after reasoning)", mine, r -> ms(r.dist().ttfaMs().p50())));
                }
            }
        }
        return rows;
    }

    /**
     * The row a sweep is for, first: per target, how much load it carries (within the SLO, or before it collapses
     * without one) and what broke next, in a few words; for agents, also where the prefix cache gave out.
     */
    private static Row sweepAnswer(Plan plan, Scenario scenario, List<StepResult> mine) {
        boolean slo = plan.slo() != null && !plan.slo().isEmpty();
        var load = scenario.load();
        String what = load.isOpen() ? "req/s" : load.isSessions() ? "agents at once" : "streams";
        String label = scenario.name() + ": " + what + (slo ? " within the SLO" : " before the collapse") + " (what breaks next)";
        Map<String, String> cells = new LinkedHashMap<>();
        Map<String, List<StepResult>> byTarget = new LinkedHashMap<>();
        for (StepResult r : mine) byTarget.computeIfAbsent(r.identity().target(), k -> new ArrayList<>()).add(r);
        byTarget.forEach((target, steps) -> cells.put(target, answer(RepeatedSweep.judge(steps, plan.slo()), load.isOpen() ? " req/s" : "")));
        return new Row(label, cells, Map.of());
    }

    /** "1; at 2: prefix cache lost", "none; at 1: TTFT p50 2.2 s > 1.0 s; cache gives out at 8", "16; no collapse". */
    static String answer(Collapse c, String unit) {
        String usable = c.usableConcurrency() == null ? "none" : KneeFinder.trim(c.usableConcurrency()) + unit;
        if (c.collapseLevel() == null) return usable + "; no collapse";
        String why = switch (c.rule()) {
            case KneeFinder.CACHE_COLLAPSE -> "prefix cache lost";
            case "throughput_stopped_scaling" -> "throughput stops scaling";
            case "errors" -> "errors";
            case KneeFinder.NO_SUCCESS -> "no request succeeded";
            case KneeFinder.NOT_JUDGED -> "not judged";
            default -> c.why() == null ? c.rule() : c.why().split(";", 2)[0];
        };
        String cache = c.cacheGaveOutAt() != null && !c.cacheGaveOutAt().equals(c.collapseLevel())
                ? "; cache gives out at " + KneeFinder.trim(c.cacheGaveOutAt()) : "";
        return usable + "; at " + KneeFinder.trim(c.collapseLevel()) + unit + ": " + why + cache;
    }

    /** The first step of each target (a scenario's prompt size is the same at every level). */
    private static List<StepResult> firstPerTarget(List<StepResult> steps) {
        Map<String, StepResult> first = new LinkedHashMap<>();
        for (StepResult r : steps) first.putIfAbsent(r.identity().target(), r);
        return List.copyOf(first.values());
    }

    private static String partCell(StepResult r, String part) {
        var v = r.parts() == null ? null : r.parts().get(part);
        if (v == null) return "-";
        return ms(v.ttftP50Ms()) + " / " + ms(v.ttftP95Ms()) + ", " + (v.decodeP50TokS() == null ? "n/a" : fmt(v.decodeP50TokS()) + " tok/s")
                + " (" + v.requests() + (v.errors() > 0 ? ", " + v.errors() + " failed" : "") + ")";
    }

    private static String toolCalls(StepResult r) {
        var a = r.agents();
        if (a == null) return "n/a";
        if (a.toolCallTurns() == 0) return a.requiredToolTurnsWithoutCall() > 0 ? "none: tools ignored" : "0";
        return String.format(Locale.ROOT, "%.1f / %s / %d", a.toolCallTurnsPerSession(), ms(a.ttftToolCallP50Ms()), a.malformedToolCalls());
    }

    private static String promptSize(StepResult r) {
        var p = r.promptSize();
        if (p == null) return "n/a";
        if (p.countedP50() == null) return String.format(Locale.ROOT, "%,d / not reported", p.askedTokens());
        return String.format(Locale.ROOT, "%,d / %,d (%+.1f%%)", p.askedTokens(), p.countedP50(), 100 * p.gap());
    }

    private static String serverView(StepResult r) {
        var v = r.server();
        if (v == null) return "not reported";
        String gap = v.decodeGapPctP50() == null ? "" : String.format(Locale.ROOT, " (client %+.1f%%)", v.decodeGapPctP50());
        return (v.decodeTokSP50() == null ? "n/a" : fmt(v.decodeTokSP50())) + " tok/s" + gap + " / " + ms(v.promptMsP50())
                + String.format(Locale.ROOT, " / %,d of %,d cached", v.cachedTokens(), v.promptTokens());
    }

    private static Row row(String label, List<StepResult> results, Function<StepResult, String> cell) {
        Map<String, String> cells = new LinkedHashMap<>();
        Map<String, java.util.Set<String>> codes = new LinkedHashMap<>();
        for (StepResult r : results) {
            r.checks().flags().forEach(f -> codes.computeIfAbsent(r.identity().target(), k -> new java.util.LinkedHashSet<>()).add(f.code()));
            // A step where every request failed says why wherever a number would stand, never a bare n/a.
            String value = r.failureSummary() != null && !label.endsWith(": errors") ? r.failureSummary() : cell.apply(r);
            String v = value + (r.checks().flags().isEmpty() ? "" : " ⚑") + (r.checks().partial() ? " (partial)" : "");
            cells.merge(r.identity().target(), v, (a, b) -> a + "; " + b); // repeats side by side until issue-5 statistics
        }
        return new Row(label, cells, codes);
    }

    private static String sanity(StepResult r) {
        var a = r.sanity();
        return String.format(Locale.ROOT, "%.0f%% / %.0f%% / %.0f%%", 100 * a.emptyShare(), 100 * a.cutOffShare(), 100 * a.degenerateShare());
    }

    private static String errors(StepResult r) {
        int n = r.outcome().errorsByClass().values().stream().mapToInt(Integer::intValue).sum();
        if (n == 0) return "0";
        if (r.outcome().errorReasons() == null || r.outcome().errorReasons().isEmpty()) return n + " " + r.outcome().errorsByClass();
        return n + ": " + r.outcome().errorReasons().stream().map(io.tokensiege.common.analysis.ErrorReason::describe).collect(java.util.stream.Collectors.joining("; "));
    }
}
