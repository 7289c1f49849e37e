package io.tokensiege.coordinator.report;

import io.tokensiege.common.analysis.AgentView;
import io.tokensiege.common.analysis.StepResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Agent sessions, turn by turn at each level: TTFT p50 (turn 1 is cold; later turns carry the history and should come
 * from the server's prefix cache) and the share of the prompt the server said it served from cache. Nothing for other sweeps.
 */
final class TurnCharts {
    private TurnCharts() {}

    static String svg(SweepLevels levels) {
        TreeSet<Integer> turns = new TreeSet<>();
        for (StepResult r : levels.steps()) if (r.agents() != null) r.agents().turns().forEach(t -> turns.add(t.turn()));
        if (turns.isEmpty()) return "";
        List<Integer> order = List.copyOf(turns);
        List<String> labels = order.stream().map(String::valueOf).toList();
        List<Double> ttfts = new ArrayList<>();
        for (StepResult r : levels.steps()) {
            if (r.agents() != null) r.agents().turns().stream().filter(t -> t.ttftP50Ms() != null).forEach(t -> ttfts.add(t.ttftP50Ms()));
        }
        XyChart ttft = new XyChart("TTFT p50 by turn: turn 1 cold, 2+ warm", "turn-ttft", levels.identity(), Axis.categories(labels), "user turn",
                Axis.auto(ttfts.stream().mapToDouble(Double::doubleValue).toArray(), "ms"));
        XyChart cached = new XyChart("prompt served from the server's cache, by turn", "turn-cached", levels.identity(), Axis.categories(labels),
                "user turn", Axis.percent());
        boolean anyCached = false;
        for (int i = 0; i < levels.steps().size(); i++) {
            StepResult r = levels.steps().get(i);
            if (r.agents() == null) continue;
            List<XyChart.Point> t = new ArrayList<>();
            List<XyChart.Point> c = new ArrayList<>();
            for (AgentView.Turn turn : r.agents().turns()) {
                int x = order.indexOf(turn.turn());
                Map<String, String> data = Map.of("turn", String.valueOf(turn.turn()), "level", r.levelLabel());
                t.add(new XyChart.Point(x, turn.ttftP50Ms() == null ? Double.NaN : turn.ttftP50Ms(), data));
                if (turn.cachedShare() != null) c.add(new XyChart.Point(x, 100 * turn.cachedShare(), data));
            }
            anyCached |= !c.isEmpty();
            ttft.series(new XyChart.Series(levels.legend(r), levels.colour(i), levels.dash(r), levels.strokeWidth(r), true, t, Map.of("level", r.levelLabel())));
            cached.series(new XyChart.Series(levels.legend(r), levels.colour(i), levels.dash(r), levels.strokeWidth(r), true, c, Map.of("level", r.levelLabel())));
        }
        return ttft.svg() + (anyCached ? cached.svg() : "");
    }
}
