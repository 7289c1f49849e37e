package io.tokensiege.coordinator.live;

import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.common.protocol.StepTotals.WorkerHealth;
import io.tokensiege.coordinator.event.Failure;
import io.tokensiege.coordinator.event.RunListener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the web page draws of one run, kept as it happens: the running step and its per-second history (the rolling
 * figures of each second, the latest merge of that second winning), the sweep so far (one point per finished level),
 * each worker's load in the last step, and the failures. Written on the orchestrator's thread, read by the web
 * server's: every read is a copy.
 */
public final class LiveBoard implements RunListener {
    private static final int MAX_FAILURES_SHOWN = 20;

    private StepNow step;
    private final TreeMap<Long, LiveStats> history = new TreeMap<>();
    private final Map<String, SweepCurve> sweeps = new LinkedHashMap<>();
    private Map<String, WorkerLoad> workerLoad = Map.of();
    private String loadStep;
    private final List<String> failures = new ArrayList<>();

    /**
     * The step in progress.
     *
     * @param number           its place in the run (1-based), of {@code of} planned steps
     * @param startEpochMillis when its workers start (the coordinator's clock); null while they get ready
     */
    public record StepNow(String stepId, String label, String target, String scenario, String level, int number, int of, boolean simulated,
                          Long startEpochMillis) {}

    /** One worker's load during the last finished step, and whether it may have limited that step itself. */
    public record WorkerLoad(double eventLoopDelayP90Ms, double cpuPercent, long gcMillis, boolean clientBound) {}

    /** A level of a sweep: the figures drawn against load. Null where the step measured nothing. */
    public record SweepPoint(double level, String levelLabel, Double aggregateTokS, Double ttftP50Ms, Double ttftP95Ms, Double decodeP50TokS,
                             boolean partial) {}

    /** One target × scenario sweep (repeat 1), its levels in the order they ran. */
    public record SweepCurve(String target, String scenario, boolean openLoop, List<SweepPoint> points) {}

    /** Everything the page shows, copied at one instant. */
    public record View(StepNow step, LiveStats latest, List<LiveStats> history, List<SweepCurve> sweeps, String loadStep,
                       Map<String, WorkerLoad> workerLoad, List<String> failures) {}

    @Override
    public synchronized void onStepStarted(StepSpec s, int number, int of) {
        step = new StepNow(s.stepId(), s.label(), s.target().name(), s.scenario(), levelOf(s), number, of, s.target().isSimulated(), null);
        history.clear();
    }

    @Override
    public synchronized void onStepStartInstant(StepSpec s, long startEpochMillis) {
        if (step != null && step.stepId().equals(s.stepId())) {
            step = new StepNow(step.stepId(), step.label(), step.target(), step.scenario(), step.level(), step.number(), step.of(), step.simulated(),
                    startEpochMillis);
        }
    }

    @Override
    public synchronized void onInterval(StepSpec s, LiveStats stats) {
        if (step == null || !step.stepId().equals(s.stepId())) return;
        history.put(stats.elapsedMillis(), stats); // a late worker's snapshot for an earlier second replaces that second
    }

    @Override
    public synchronized void onStepFinished(StepSpec s, StepResult r) {
        if (s.repeat() == 1 && isSweepLevel(s.kind()) && r.outcome().requests() > 0) {
            sweeps.computeIfAbsent(s.target().name() + "\u0000" + s.scenario(), k -> new SweepCurve(s.target().name(), s.scenario(), s.kind() == StepKind.OPEN,
                    new ArrayList<>())).points().add(new SweepPoint(r.level(), r.levelLabel(), finite(r.throughput().aggregateTokS()), finite(r.userTtftMs().p50()),
                    finite(r.userTtftMs().p95()), finite(r.dist().decodeTokS().p50()), r.checks().partial()));
        }
        if (step != null && step.stepId().equals(s.stepId())) step = null;
    }

    @Override
    public synchronized void onWorkerHealth(StepSpec s, Map<String, WorkerHealth> health) {
        Map<String, WorkerLoad> load = new LinkedHashMap<>();
        health.forEach((id, h) -> load.put(id, new WorkerLoad(h.eventLoopDelayP90Micros() / 1000.0, 100 * h.meanCpuShare(), h.gcMillis(), h.clientBound())));
        workerLoad = load;
        loadStep = s.label();
    }

    @Override
    public synchronized void onFailure(Failure f) {
        if (failures.size() < MAX_FAILURES_SHOWN) failures.add(f.kind() + (f.stepId() == null ? "" : " in " + f.stepId()) + ": " + f.message());
    }

    public synchronized View view() {
        List<SweepCurve> curves = sweeps.values().stream()
                .map(c -> new SweepCurve(c.target(), c.scenario(), c.openLoop(), List.copyOf(c.points()))).toList();
        return new View(step, history.isEmpty() ? null : history.lastEntry().getValue(), List.copyOf(history.values()), curves, loadStep,
                Map.copyOf(workerLoad), List.copyOf(failures));
    }

    private static boolean isSweepLevel(StepKind kind) {
        return kind == StepKind.CLOSED || kind == StepKind.OPEN || kind == StepKind.SESSIONS;
    }

    /** The load level in words: "8 streams", "2 req/s", "4 sessions"; the step kind for the rest. */
    private static String levelOf(StepSpec s) {
        return switch (s.kind()) {
            case CLOSED -> s.concurrency() + (s.concurrency() == 1 ? " stream" : " streams");
            case OPEN -> StepSpec.rateLabel(s.openLoop().ratePerSecond()) + " req/s";
            case SESSIONS -> s.concurrency() + (s.concurrency() == 1 ? " session" : " sessions");
            default -> s.kind().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** NaN (nothing measured) becomes null: JSON has no NaN, and the page shows "—". */
    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
