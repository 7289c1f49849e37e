package io.tokensiege.coordinator.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code report --compare}: each matched sweep's collapse level and usable level, B against A, read from run.json's
 * {@code collapse}. A later collapse (or none) and a higher usable level are better.
 */
final class CollapseComparison {
    private CollapseComparison() {}

    static void append(JsonNode a, JsonNode b, Map<String, String> targetOfB, StringBuilder sb) {
        List<String> rows = new ArrayList<>();
        boolean singleRun = false;
        for (JsonNode ca : a.path("collapse")) {
            String ta = ca.path("target").asText();
            String tb = targetOfB.get(ta);
            if (tb == null) continue;
            JsonNode cb = find(b, tb, ca.path("scenario").asText());
            if (cb == null) continue;
            TargetCards.Unit unit = unit(a, ta, ca.path("scenario").asText());
            singleRun |= repeats(a, ta, ca.path("scenario").asText()) < 2 || repeats(b, tb, ca.path("scenario").asText()) < 2;
            String key = ta + " / " + ca.path("scenario").asText();
            Double collapseA = level(ca.path("collapse_level"));
            Double collapseB = level(cb.path("collapse_level"));
            double topA = top(ca);
            double topB = top(cb);
            rows.add("| " + key + " | collapse level | " + collapse(collapseA, topA, unit) + " | " + collapse(collapseB, topB, unit) + " | "
                    + laterIsBetter(collapseA, collapseB, topA, topB) + " |");
            Double usableA = level(ca.path("usable_concurrency"));
            Double usableB = level(cb.path("usable_concurrency"));
            rows.add("| " + key + " | usable up to | " + usable(usableA, unit) + " | " + usable(usableB, unit) + " | " + higherIsBetter(usableA, usableB) + " |");
        }
        if (rows.isEmpty()) return;
        sb.append("\nWhere each sweep collapses, and up to which level it is usable:\n\n| target / sweep | | A | B | for B |\n|---|---|---|---|---|\n");
        rows.forEach(r -> sb.append(r).append('\n'));
        if (singleRun) {
            sb.append("\nOne run of a sweep on at least one side: its collapse level can move from run to run, so a level apart is no proof;"
                    + " with `repeat: 3` each run reports its most cautious repeat.\n");
        }
    }

    /** How many times the run repeated one target's sweep. */
    private static int repeats(JsonNode run, String target, String scenario) {
        int most = 0;
        for (JsonNode s : run.path("steps")) {
            if (s.path("target").asText().equals(target) && s.path("scenario").asText().equals(scenario)) most = Math.max(most, s.path("repeat").asInt(1));
        }
        return most;
    }

    private static JsonNode find(JsonNode run, String target, String scenario) {
        for (JsonNode c : run.path("collapse")) if (c.path("target").asText().equals(target) && c.path("scenario").asText().equals(scenario)) return c;
        return null;
    }

    /** Streams, sessions or req/s, from the sweep's steps. */
    private static TargetCards.Unit unit(JsonNode run, String target, String scenario) {
        for (JsonNode s : run.path("steps")) {
            if (!s.path("target").asText().equals(target) || !s.path("scenario").asText().equals(scenario)) continue;
            return switch (s.path("kind").asText()) {
                case "OPEN" -> new TargetCards.Unit("req/s", "req/s");
                case "SESSIONS" -> new TargetCards.Unit("session", "sessions");
                default -> new TargetCards.Unit("stream", "streams");
            };
        }
        return new TargetCards.Unit("", "");
    }

    private static Double level(JsonNode n) {
        return n.isNumber() ? n.asDouble() : null;
    }

    /** The highest level the sweep measured. */
    private static double top(JsonNode collapse) {
        double top = 0;
        for (JsonNode l : collapse.path("levels")) top = Math.max(top, l.path("level").asDouble());
        return top;
    }

    private static String collapse(Double level, double top, TargetCards.Unit unit) {
        return level == null ? "none up to " + unit.of(top) : "at " + unit.of(level);
    }

    private static String usable(Double level, TargetCards.Unit unit) {
        return level == null ? "no level" : unit.of(level);
    }

    /** A later collapse beats an earlier one, and none beats one, unless the run without it stopped below the other's collapse. */
    private static String laterIsBetter(Double a, Double b, double topA, double topB) {
        if (a == null && b == null) return "same (neither collapses)";
        if (a == null) return b > topA ? "not comparable: A stopped at " + SweepChart.levelLabel(topA) : "worse";
        if (b == null) return a > topB ? "not comparable: B stopped at " + SweepChart.levelLabel(topB) : "better";
        return compare(a, b);
    }

    private static String higherIsBetter(Double a, Double b) {
        if (a == null && b == null) return "same";
        if (a == null) return "better";
        if (b == null) return "worse";
        return compare(a, b);
    }

    private static String compare(double a, double b) {
        return b > a ? "better" : b < a ? "worse" : "same";
    }
}
