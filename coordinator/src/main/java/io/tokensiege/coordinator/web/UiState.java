package io.tokensiege.coordinator.web;

import io.tokensiege.coordinator.live.LiveBoard;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code GET /ui/state.json}: everything the page redraws each second, from the run's board and the cluster. */
final class UiState {
    private static final int PROGRESS_LINES = 10;

    private UiState() {}

    static Map<String, Object> of(RunControl.ActiveRun run, List<Map<String, Object>> workers) {
        Map<String, Object> m = new LinkedHashMap<>();
        LiveBoard.View view = run == null ? null : run.board.view();
        if (run != null) {
            m.put("run", Map.of("id", run.id, "plan", run.plan, "status", run.status()));
            m.put("step", view.step());
            m.put("live", view.latest());
            m.put("history", view.history());
            m.put("sweeps", view.sweeps());
            m.put("load_step", view.loadStep());
            m.put("failures", view.failures());
            List<String> lines = run.progressLines();
            m.put("progress", lines.subList(Math.max(0, lines.size() - PROGRESS_LINES), lines.size()));
        }
        List<Map<String, Object>> described = new ArrayList<>();
        for (Map<String, Object> w : workers) {
            Map<String, Object> d = new LinkedHashMap<>(w);
            if (view != null && view.workerLoad().containsKey(String.valueOf(w.get("id")))) d.put("load", view.workerLoad().get(String.valueOf(w.get("id"))));
            described.add(d);
        }
        m.put("workers", described);
        return m;
    }
}
