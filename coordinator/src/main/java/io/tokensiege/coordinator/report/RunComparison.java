package io.tokensiege.coordinator.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.common.analysis.RepeatStats;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * {@code report RUN_A --compare RUN_B}: run B against run A, step by step (same scenario and load
 * level; same target name, or the only target of each run when each has one, as in a before/after
 * tuning). Per metric: both means over repeats and B's change. With two or more repeats on each side
 * the change carries Welch's 95 % interval and a verdict ({@link RepeatStats}); with one run on either side it says
 * that no verdict is possible (docs/context.md: one run cannot call a 5 % difference). Then the server
 * settings that differ between the runs, since a default can hide a 10x difference.
 */
public final class RunComparison {
    private static final int MAX_SETTING_LINES = 30;
    /** A change that rounds to +0 % is no change to mark. */
    private static final double SAME = 0.005;

    /** {@code lowerIsBetter}: latency and errors; throughput and decode rate are better higher. */
    private record Measure(String name, boolean lowerIsBetter, Function<JsonNode, Double> value) {}

    private static final List<Measure> MEASURES = List.of(
            new Measure("TTFT p50 ms", true, s -> number(s.at("/ttft_ms/p50"))),
            new Measure("TTFT p95 ms", true, s -> number(s.at("/ttft_ms/p95"))),
            new Measure("decode p50 tok/s", false, s -> number(s.at("/decode_tok_s/p50"))),
            new Measure("aggregate tok/s", false, s -> number(s.path("aggregate_tok_s"))),
            new Measure("error rate %", true, s -> {
                Double v = number(s.path("error_rate"));
                return v == null ? null : 100 * v;
            }));

    private RunComparison() {}

    public static String render(JsonNode a, JsonNode b) {
        StringBuilder sb = new StringBuilder();
        sb.append("B (").append(b.path("run_id").asText()).append(") against A (").append(a.path("run_id").asText()).append(")\n");
        Map<String, String> targetOfB = matchTargets(a, b, sb);
        Map<String, List<JsonNode>> stepsA = byKey(a, t -> t);
        Map<String, List<JsonNode>> stepsB = byKey(b, t -> targetOfB.entrySet().stream().filter(e -> e.getValue().equals(t))
                .map(Map.Entry::getKey).findFirst().orElse(t));
        List<String> rows = new ArrayList<>();
        rows.add("| target / step | metric | A | B | B against A | for B |");
        rows.add("|---|---|---|---|---|---|");
        boolean anyRepeats = false;
        for (Map.Entry<String, List<JsonNode>> e : stepsA.entrySet()) {
            List<JsonNode> inB = stepsB.get(e.getKey());
            if (inB == null) continue;
            for (Measure m : MEASURES) {
                double[] va = values(e.getValue(), m);
                double[] vb = values(inB, m);
                if (va.length == 0 || vb.length == 0) continue;
                anyRepeats |= va.length > 1 && vb.length > 1;
                rows.add("| " + e.getKey() + " | " + m.name() + " | " + mean(va) + " | " + mean(vb) + " | " + change(va, vb) + " | " + mark(va, vb, m) + " |");
            }
        }
        if (rows.size() == 2) {
            sb.append("\nNo step of A has a counterpart in B (same scenario and load level, and a matching target).\n");
        } else {
            sb.append('\n');
            rows.forEach(r -> sb.append(r).append('\n'));
            if (!anyRepeats) {
                sb.append("\nOne run per step on at least one side: changes are shown without a verdict. Re-run both with `repeat: 3`"
                        + " (or more) for intervals that can tell a real difference from run-to-run noise.\n");
            }
        }
        List<String> unmatched = new ArrayList<>();
        stepsA.keySet().stream().filter(k -> !stepsB.containsKey(k)).forEach(k -> unmatched.add("only in A: " + k));
        stepsB.keySet().stream().filter(k -> !stepsA.containsKey(k)).forEach(k -> unmatched.add("only in B: " + k));
        if (!unmatched.isEmpty()) {
            sb.append("\nNot compared:\n");
            unmatched.forEach(u -> sb.append("- ").append(u).append('\n'));
        }
        CollapseComparison.append(a, b, targetOfB, sb);
        settingDifferences(a, b, targetOfB, sb);
        return sb.toString();
    }

    /** Target of A -> target of B, as {@link #render} matches them (for compare.html). */
    static Map<String, String> matchedTargets(JsonNode a, JsonNode b) {
        return matchTargets(a, b, new StringBuilder());
    }

    /** Target of A -> target of B: same names, or the single target of each run whatever its name. */
    private static Map<String, String> matchTargets(JsonNode a, JsonNode b, StringBuilder sb) {
        Set<String> ta = targets(a);
        Set<String> tb = targets(b);
        Map<String, String> match = new LinkedHashMap<>();
        if (ta.size() == 1 && tb.size() == 1) {
            String x = ta.iterator().next();
            String y = tb.iterator().next();
            match.put(x, y);
            if (!x.equals(y)) sb.append("comparing target '").append(y).append("' (B) with '").append(x).append("' (A), the only target of each run\n");
        } else {
            for (String t : ta) if (tb.contains(t)) match.put(t, t);
        }
        return match;
    }

    private static Set<String> targets(JsonNode run) {
        Set<String> names = new LinkedHashSet<>();
        for (JsonNode s : run.path("steps")) names.add(s.path("target").asText());
        return names;
    }

    /** "target / scenario @level" -> the steps (one per repeat); {@code name} maps the run's target name to the shared one. */
    private static Map<String, List<JsonNode>> byKey(JsonNode run, Function<String, String> name) {
        Map<String, List<JsonNode>> out = new LinkedHashMap<>(); // in run order
        for (JsonNode s : run.path("steps")) {
            String level = switch (s.path("kind").asText()) {
                case "CLOSED" -> " @" + s.path("concurrency").asInt();
                case "OPEN" -> " @" + s.at("/open/requested_rate").asText("?") + " req/s";
                case "SESSIONS" -> " @" + s.path("concurrency").asInt() + " sessions"; // each level its own row, never another's repeat
                default -> "";
            };
            out.computeIfAbsent(name.apply(s.path("target").asText()) + " / " + s.path("scenario").asText() + level, k -> new ArrayList<>()).add(s);
        }
        return out;
    }

    private static double[] values(List<JsonNode> steps, Measure m) {
        return steps.stream().map(m.value()).filter(v -> v != null && !v.isNaN()).mapToDouble(Double::doubleValue).toArray();
    }

    /** B's change against A: "—" when both are 0 throughout (no change exists), never "NaN %". */
    private static String change(double[] a, double[] b) {
        if (RepeatStats.meanOf(a) == 0 && RepeatStats.meanOf(b) == 0) return "—";
        return RepeatStats.difference(a, b).verdict();
    }

    /**
     * Better or worse for B, by the metric's direction, only for a significant change: one inside the noise says so, and
     * one run on either side cannot tell (the change may be run-to-run noise).
     */
    private static String mark(double[] a, double[] b, Measure m) {
        double ma = RepeatStats.meanOf(a);
        double mb = RepeatStats.meanOf(b);
        if (ma == mb || (ma != 0 && Math.abs(mb / ma - 1) < SAME)) return "same";
        RepeatStats.Difference d = RepeatStats.difference(a, b);
        if (!d.resolved()) return "no verdict";
        if (!d.significant()) return "within noise";
        return (mb < ma) == m.lowerIsBetter() ? "better" : "worse";
    }

    private static String mean(double[] v) {
        return SummaryTable.fmt(RepeatStats.meanOf(v));
    }

    private static Double number(JsonNode n) {
        return n.isNumber() ? n.asDouble() : null;
    }

    /** What each matched server said about itself, and its simulated profile, where the two runs differ. */
    private static void settingDifferences(JsonNode a, JsonNode b, Map<String, String> targetOfB, StringBuilder sb) {
        List<String> lines = new ArrayList<>();
        targetOfB.forEach((ta, tb) -> {
            for (String section : List.of("servers", "server_settings")) {
                Map<String, String> fa = flatten(a.path(section).path(ta));
                Map<String, String> fb = flatten(b.path(section).path(tb));
                Set<String> keys = new LinkedHashSet<>(fa.keySet());
                keys.addAll(fb.keySet());
                for (String k : keys) {
                    String va = fa.getOrDefault(k, "(absent)");
                    String vb = fb.getOrDefault(k, "(absent)");
                    if (!va.equals(vb)) lines.add(ta + " " + section + k + ": A " + va + ", B " + vb);
                }
            }
        });
        if (lines.isEmpty()) return;
        sb.append("\nServer settings that differ (a default can hide a 10x difference):\n");
        lines.stream().limit(MAX_SETTING_LINES).forEach(l -> sb.append("- ").append(l).append('\n'));
        if (lines.size() > MAX_SETTING_LINES) sb.append("- ... and ").append(lines.size() - MAX_SETTING_LINES).append(" more (see each run.json)\n");
    }

    private static Map<String, String> flatten(JsonNode node) {
        Map<String, String> out = new TreeMap<>();
        flatten("", node, out);
        return out;
    }

    private static void flatten(String path, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(path + "/" + e.getKey(), e.getValue(), out);
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) flatten(path + "/" + i, node.get(i), out);
        } else if (!node.isMissingNode()) {
            out.put(path, node.asText());
        }
    }
}
