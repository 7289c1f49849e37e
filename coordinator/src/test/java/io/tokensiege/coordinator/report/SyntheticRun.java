package io.tokensiege.coordinator.report;

import io.tokensiege.common.analysis.RunVerdict;
import io.tokensiege.common.analysis.StepAnalyzer;
import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.metric.Histograms;
import io.tokensiege.common.metric.Metric;
import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.metric.TokenSource;
import io.tokensiege.common.plan.Plan;
import io.tokensiege.common.plan.PlanReader;
import io.tokensiege.common.protocol.ConnectionStats;
import io.tokensiege.common.protocol.IntervalSnapshot;
import io.tokensiege.common.protocol.StepFinished;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.common.protocol.StepTotals;
import io.tokensiege.coordinator.run.StepPlanner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import org.HdrHistogram.Histogram;

/**
 * A run directory written by {@link RunDirectory} from known requests, as the orchestrator writes one: two workers per step,
 * their step totals and one-second intervals built from the same request records (as a worker builds them), analysed by
 * {@link StepAnalyzer}. Tests then hold the exact merged histograms to check what report.html and {@code report} show.
 */
public final class SyntheticRun {
    public static final List<String> WORKERS = List.of("w1", "w2");
    /** Seconds each step's requests are spread over (the hlog intervals). */
    static final int SECONDS = 3;
    /** User turns of an agent session, in SESSIONS steps. */
    static final int TURNS = 4;

    /** What one level's requests look like: TTFT spread between {@code ttftLowMs} and {@code ttftHighMs}, a decode rate, a count per worker. */
    public record Level(int requestsPerWorker, double ttftLowMs, double ttftHighMs, double decodeTokS) {}

    public final Plan plan;
    public final RunDirectory dir;
    public final List<StepSpec> steps;
    public final List<StepResult> results = new ArrayList<>();
    /** Per step id: every worker's records, as sent. */
    public final Map<String, List<RequestRecord>> records = new LinkedHashMap<>();

    private SyntheticRun(Plan plan, RunDirectory dir, List<StepSpec> steps) {
        this.plan = plan;
        this.dir = dir;
        this.steps = steps;
    }

    /** Writes the plan's steps (warm-ups excluded); {@code levels} gives each level's requests; the level of 4 streams carries a clamped_values flag. */
    public static SyntheticRun write(Path root, String planYaml, IntFunction<Level> levels, boolean finish) throws Exception {
        Plan plan = PlanReader.parse(planYaml, "plan.yaml");
        List<StepSpec> steps = StepPlanner.expand(plan).stream().filter(s -> s.kind() != StepKind.WARMUP).toList();
        SyntheticRun run = new SyntheticRun(plan, RunDirectory.create(root, plan.name(), Map.of()), steps);
        run.dir.begin(plan, steps);
        for (StepSpec step : steps) run.step(step, levels.apply(step.concurrency()));
        if (finish) run.finish();
        return run;
    }

    public void finish() {
        dir.finish(results, List.of(), RunVerdict.of(plan, results), Map.of(), "finished");
    }

    private void step(StepSpec step, Level level) {
        long start = System.currentTimeMillis();
        SplittableRandom random = new SplittableRandom(step.concurrency() * 31L + step.index());
        List<StepFinished> finished = new ArrayList<>();
        List<StepAnalyzer.Share> shares = new ArrayList<>();
        List<RequestRecord> all = new ArrayList<>();
        for (String worker : WORKERS) {
            List<RequestRecord> mine = new ArrayList<>();
            for (int i = 0; i < level.requestsPerWorker(); i++) {
                double ttftMs = level.ttftLowMs() * Math.exp(random.nextDouble() * Math.log(level.ttftHighMs() / level.ttftLowMs()));
                RequestRecord.AgentTurn agent = step.kind() == StepKind.SESSIONS ? new RequestRecord.AgentTurn(i / TURNS, i % TURNS + 1, false, 0, null, false, 2 * (i % TURNS) + 1) : null;
                if (agent != null && agent.userTurn() == 1) ttftMs *= 3; // a cold turn: its whole prompt is new to the server
                mine.add(record(step.stepId(), worker, i, (start + i * 5L) * 1000, Math.round(ttftMs * 1000), level.decodeTokS(), agent));
            }
            for (int second = 0; second < SECONDS; second++) {
                Map<String, byte[]> histograms = histograms(mine.subList(second * mine.size() / SECONDS, (second + 1) * mine.size() / SECONDS));
                dir.writeInterval(step, new IntervalSnapshot("run", step.stepId(), worker, start + second * 1000L, start + (second + 1) * 1000L,
                        histograms, 0, 0, 0, 0, null, 0, 0), start);
            }
            long windowMicros = 10_000_000L;
            double tokens = step.concurrency() * level.decodeTokS() * 10 / WORKERS.size();
            StepTotals totals = new StepTotals(start * 1000, windowMicros, tokens, mine.size(), mine.size(), mine.size(), Map.of(), 0, histograms(mine),
                    step.concurrency() == 4 ? 1 : 0, 0, 0, 0L, null, StepTotals.WorkerHealth.UNKNOWN, ConnectionStats.NONE,
                    (long) (0.97 * step.concurrency() * windowMicros / WORKERS.size()));
            finished.add(new StepFinished("run", step.stepId(), worker, totals, mine, false));
            shares.add(new StepAnalyzer.Share(worker, step.concurrency() / WORKERS.size(), totals, mine));
            all.addAll(mine);
        }
        StepResult result = StepAnalyzer.analyze(step, shares, 1000, plan.slo(), null);
        records.put(step.stepId(), all);
        results.add(result);
        dir.writeStep(step, result, finished, List.of());
    }

    /** The merged histogram of {@code metric} over every worker of a step, built here from the records. */
    public Histogram merged(String stepId, Metric metric) {
        return Histograms.decode(histograms(records.get(stepId)).get(metric.key()));
    }

    /** As a worker records a request that ended: every metric it has, in µs (decode in milli-tok/s). */
    static Map<String, byte[]> histograms(List<RequestRecord> records) {
        Map<Metric, Histogram> h = new EnumMap<>(Metric.class);
        for (Metric m : Metric.values()) h.put(m, Histograms.create());
        for (RequestRecord r : records) {
            h.get(Metric.TTFT_MICROS).recordValue(r.times().ttftMicros());
            h.get(Metric.TTFT_INTENDED_MICROS).recordValue(r.times().ttftIntendedMicros());
            h.get(Metric.TTFA_MICROS).recordValue(r.times().ttfaMicros());
            h.get(Metric.TTFB_MICROS).recordValue(r.times().ttfbMicros());
            h.get(Metric.E2E_MICROS).recordValue(r.times().e2eMicros());
            h.get(Metric.TPOT_MICROS).recordValue(r.times().tpotMicros());
            h.get(Metric.DECODE_RATE_MILLITOK_S).recordValue(Math.round(r.times().decodeRateTokS() * 1000));
            h.get(Metric.OUTPUT_TOKENS).recordValue(r.tokens().outputTokens());
            for (int k = 0; k < 5; k++) h.get(Metric.ITL_MICROS).recordValue(r.times().tpotMicros() / 2 + k * r.times().tpotMicros() / 4);
        }
        Map<String, byte[]> out = new LinkedHashMap<>();
        h.forEach((m, x) -> {
            if (x.getTotalCount() > 0) out.put(m.key(), Histograms.encode(x));
        });
        return out;
    }

    /** Agent sessions: a session's requests are its turns 1..TURNS in a row; turns 2+ find 56 of their 64 prompt tokens cached. */
    private static RequestRecord record(String stepId, String worker, int seq, long sendEpochMicros, long ttftMicros, double decodeTokS,
                                        RequestRecord.AgentTurn agent) {
        int tokens = 100;
        long tpot = Math.round(1e6 / decodeTokS);
        long e2e = ttftMicros + tpot * (tokens - 1);
        return new RequestRecord(new RequestRecord.Origin(stepId, worker, seq % 4, seq, 0, null),
                true,
                new RequestRecord.Times(sendEpochMicros, null, ttftMicros, ttftMicros, ttftMicros, ttftMicros / 2, e2e, tpot, decodeTokS),
                new RequestRecord.Tokens(tokens, TokenSource.USAGE, tokens, null, 0, tokens, 0, 64, agent == null ? null : agent.userTurn() == 1 ? 0 : 56, tokens),
                new RequestRecord.Outcome("stop", null, null, null, 200, false),
                new RequestRecord.Answer(null, 400, "The answer is a short sentence."),
                null, null, agent);
    }
}
