package io.tokensiege.common.analysis;

import io.tokensiege.common.metric.Histograms;
import io.tokensiege.common.metric.Metric;
import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.plan.Slo;
import io.tokensiege.common.prompt.StepPrompts;
import io.tokensiege.common.protocol.ConnectionStats;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.common.protocol.StepTotals;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Merges the workers' totals of one step exactly ({@link Histogram#add}) and derives its
 * {@link StepResult}. Pure: no I/O, no cluster.
 */
public final class StepAnalyzer {
    /** Fewer measured requests than this in a sweep step are flagged: percentiles from a handful of values mislead. */
    static final int LOW_SAMPLE = 10;

    private StepAnalyzer() {}

    /** One worker's contribution to a step. */
    public record Share(String workerId, int streams, StepTotals totals, List<RequestRecord> records) {}

    public static Map<Metric, Histogram> merge(List<Share> shares) {
        Map<Metric, Histogram> merged = new EnumMap<>(Metric.class);
        for (Metric m : Metric.values()) merged.put(m, Histograms.create());
        for (Share s : shares) {
            if (s.totals() == null) continue;
            s.totals().histograms().forEach((key, bytes) -> merged.get(Metric.byKey(key)).add(Histograms.decode(bytes)));
        }
        return merged;
    }

    public static StepResult analyze(StepSpec step, List<Share> shares, double maxDecodeTokS, Slo slo, String partialReason) {
        Map<Metric, Histogram> h = merge(shares);
        double ts = step.target().timeScale();
        double msFactor = ts / 1000.0; // µs measured -> ms of the target's own time
        List<RequestRecord> measured = new ArrayList<>();
        Map<String, Integer> errors = new LinkedHashMap<>();
        Map<String, Integer> workerShares = new LinkedHashMap<>();
        double tokens = 0;
        int completedInWindow = 0;
        int cancelled = 0;
        long clamped = 0;
        double windowMicros = 0;
        long decodingMicros = 0;
        for (Share s : shares) {
            workerShares.put(s.workerId(), s.streams());
            s.records().stream().filter(RequestRecord::measured).forEach(measured::add);
            if (s.totals() == null) continue;
            s.totals().errorsByClass().forEach((k, v) -> errors.merge(k, v, Integer::sum));
            tokens += s.totals().tokensInWindow();
            completedInWindow += s.totals().completedInWindow();
            cancelled += s.totals().cancelledAtEnd();
            clamped += s.totals().clampedValues();
            windowMicros = Math.max(windowMicros, s.totals().windowMicros());
            decodingMicros += s.totals().decodingMicrosInWindow();
        }
        // A mixed step's probe is shown as its own part: the level's own figures leave it out, as the workers' histograms,
        // error counts and window do (its successes counted here, its errors not, understated the level's error rate).
        List<RequestRecord> records = measured.stream().filter(r -> !r.origin().isProbe()).toList();
        int failed = errors.values().stream().mapToInt(Integer::intValue).sum();
        int ok = (int) records.stream().filter(RequestRecord::ok).count();
        int finished = ok + failed;
        double windowSeconds = windowMicros / 1e6 * ts;
        double aggregate = windowSeconds > 0 ? tokens / windowSeconds : 0;
        double requestRate = windowSeconds > 0 ? completedInWindow / windowSeconds : 0;

        Double cold = null, warm = null, cachedShare = null;
        Integer warmCached = null, warmPrompt = null;
        if (step.kind() == StepKind.TURNS) {
            cold = medianTtftMs(records, true, msFactor);
            warm = medianTtftMs(records, false, msFactor);
            int c = 0, p = 0;
            for (RequestRecord r : records) {
                Integer cachedTokens = AgentView.cachedTokens(r); // usage, else llama.cpp's cache_n, as for agent sessions
                if (r.ok() && r.origin().turn() > 1 && r.tokens().promptTokens() != null && cachedTokens != null) {
                    c += cachedTokens;
                    p += r.tokens().promptTokens();
                }
            }
            if (p > 0) {
                warmCached = c;
                warmPrompt = p;
                cachedShare = (double) c / p;
            }
        }
        long reasoning = records.stream().filter(RequestRecord::ok).mapToLong(r -> r.tokens().reasoningTokens() == null ? 0 : r.tokens().reasoningTokens()).sum();
        long output = records.stream().filter(RequestRecord::ok).mapToLong(rec -> rec.tokens().outputTokens()).sum();
        List<Flag> flags = Plausibility.check(step.stepId(), records, ts, maxDecodeTokS, cancelled, clamped);
        if ((step.kind() == StepKind.CLOSED || step.kind() == StepKind.OPEN || step.kind() == StepKind.SESSIONS) && finished > 0 && finished < LOW_SAMPLE) {
            double e2eP50 = Percentiles.of(h.get(Metric.E2E_MICROS), msFactor).p50();
            flags.add(new Flag(Flag.LOW_SAMPLE, step.stepId(), "only " + finished + " measured requests: percentiles are rough; lengthen the duration"
                    + (Double.isNaN(e2eP50) ? "" : " (a request here takes " + SloCheck.ms(e2eP50) + ")")));
        }
        clientBound(step, shares).ifPresent(flags::add);
        failureFlood(step, shares).ifPresent(flags::add);
        Percentiles decode = Percentiles.of(h.get(Metric.DECODE_RATE_MILLITOK_S), 1.0 / 1000 / ts);
        ServerView server = ServerView.of(records, ts, step.facts().slots()).orElse(null);
        if (server != null) ServerView.flag(step.stepId(), server, decode, records, ts, flags);
        // An agent's later turns carry its history: the asked size is turn 1's.
        // A mixed step asks for several sizes at once: its parts say theirs. A replayed trace asks for what it recorded.
        PromptSize promptSize = step.mix() != null || step.replay() != null ? null : PromptSize.of(StepPrompts.askedPromptTokens(step), records.stream().filter(RequestRecord::ok)
                .filter(r -> r.agent() == null || (r.agent().userTurn() == 1 && !r.agent().followUp())).toList(), describe(step.facts().sizing()));
        AgentView agents = step.kind() == StepKind.SESSIONS ? AgentView.of(records, ts, step.conversation() == null || step.conversation().tools() == null
                ? List.of() : step.conversation().tools().requiredTurns()).orElse(null) : null;
        if (agents != null) agents.flag(step.stepId(), flags);
        if (step.kind() != StepKind.WARMUP && promptSize != null) promptSize.flag(step.stepId(), flags);
        ConnectionStats connections = ConnectionStats.NONE;
        for (Share s : shares) if (s.totals() != null) connections = connections.plus(s.totals().connections());
        AnswerSanity sanity = AnswerSanity.of(records);
        OpenLoopStats open = step.kind() == StepKind.OPEN ? openLoop(step, shares, records, h, windowSeconds) : null;
        if (open != null && open.notSent() > 0) {
            flags.add(new Flag(Flag.NOT_SENT, step.stepId(), String.format(java.util.Locale.ROOT,
                    "%d of %d arrivals were not sent: the in-flight cap (%d) was full; achieved %.2f of %.2f req/s; TTFT from the intended start"
                            + " covers the sent ones only, so it is a lower bound (the unsent waited longer)",
                    open.notSent(), open.scheduled(), step.concurrency(), open.achievedRate(), open.requestedRate())));
        }
        if (sanity.degenerateShare() > 0) {
            flags.add(new Flag(Flag.DEGENERATE, step.stepId(), String.format(java.util.Locale.ROOT,
                    "%.0f%% of answers repeat one short pattern (a model stuck in a loop): speed without a usable answer", 100 * sanity.degenerateShare())));
        }
        if (finished == 0 && step.kind() != StepKind.WARMUP) {
            List<RequestRecord> sent = shares.stream().flatMap(s -> s.records().stream()).toList(); // ramp and filler requests too
            boolean flooded = shares.stream().anyMatch(s -> s.totals() != null && s.totals().stoppedAfterFailures() != null);
            flags.add(new Flag(Flag.NOTHING_MEASURED, step.stepId(), Unanswered.of(sent, ts)
                    .map(u -> "nothing measured: the target " + u.describe())
                    .orElse(flooded ? floodedBeforeTheWindow(sent)
                            : partialReason != null ? "nothing measured: the step was cut short (" + partialReason + ")"
                            : "nothing measured: no measured request finished; the step's duration may be shorter than one request at this load")));
        }
        var identity = new StepResult.Identity(step.stepId(), step.label(), step.target().name(), step.scenario(), step.kind().name(),
                step.concurrency(), step.repeat(), ts, step.target().isSimulated());
        var outcome = new StepResult.Outcome(finished, ok, errors, cancelled, finished == 0 ? 0 : (double) failed / finished, ErrorReason.top(records));
        var dist = new StepResult.Distributions(Percentiles.of(h.get(Metric.TTFT_MICROS), msFactor), Percentiles.of(h.get(Metric.TTFA_MICROS), msFactor),
                Percentiles.of(h.get(Metric.TTFB_MICROS), msFactor), Percentiles.of(h.get(Metric.E2E_MICROS), msFactor),
                Percentiles.of(h.get(Metric.TPOT_MICROS), msFactor), Percentiles.of(h.get(Metric.ITL_MICROS), msFactor),
                decode, Percentiles.of(h.get(Metric.OUTPUT_TOKENS), 1.0));
        var throughput = new StepResult.Throughput(aggregate, requestRate, windowSeconds,
                step.isTimed() && windowMicros > 0 ? decodingMicros / windowMicros : null);
        var checks = new StepResult.Checks(SloCheck.goodput(records, slo, ts), List.of(), flags, partialReason != null, partialReason);
        StepResult result = new StepResult(identity, workerShares, outcome, dist, throughput, new StepResult.WarmTurns(cold, warm, cachedShare, warmCached, warmPrompt),
                output > 0 ? (double) reasoning / output : null, Fairness.of(records, ts), sanity, checks,
                open, startSpread(shares), promptSize, server, connections, agents, PartView.of(measured, ts));
        return result.withSloBreaches(SloCheck.breaches(result, slo));
    }

    /** Median TTFT of the successful first turns, or of the later ones, ms. */
    private static Double medianTtftMs(List<RequestRecord> records, boolean firstTurn, double msFactor) {
        return median(records.stream().filter(r -> r.ok() && (firstTurn ? r.origin().turn() == 1 : r.origin().turn() > 1) && r.times().ttftMicros() != null)
                .map(r -> r.times().ttftMicros() * msFactor).toList());
    }

    /** A failure flood stopped the step inside its ramp: what the server answered, since no measured request says it. */
    private static String floodedBeforeTheWindow(List<RequestRecord> sent) {
        long failed = sent.stream().filter(r -> r.outcome().error() != null && !r.outcome().cancelled()).count();
        return "nothing measured: the first " + failed + " requests all failed before the measurement window opened, and the step was stopped ("
                + ErrorReason.top(sent).stream().map(ErrorReason::describe).collect(java.util.stream.Collectors.joining(", ")) + ")";
    }

    /** Flags a step some worker stopped early because every request it sent failed: the step is shorter than planned, and why. */
    static java.util.Optional<Flag> failureFlood(StepSpec step, List<Share> shares) {
        List<String> stopped = new ArrayList<>();
        int after = 0;
        for (Share s : shares) {
            if (s.totals() == null || s.totals().stoppedAfterFailures() == null) continue;
            stopped.add(s.workerId());
            after = Math.max(after, s.totals().stoppedAfterFailures());
        }
        if (stopped.isEmpty()) return java.util.Optional.empty();
        return java.util.Optional.of(new Flag(Flag.FAILURE_FLOOD, step.stepId(), String.join(", ", stopped) + " stopped after the first " + after
                + " requests all failed: the rest of the step would only have repeated the failure (a server that fails at once is sent thousands a second)"));
    }

    /** Flags a step whose workers were themselves saturated: their delays would show up as the server's. */
    static java.util.Optional<Flag> clientBound(StepSpec step, List<Share> shares) {
        List<String> loaded = new ArrayList<>();
        for (Share s : shares) {
            if (s.totals() == null || s.totals().health() == null) continue;
            var h = s.totals().health();
            if (h.clientBound()) {
                String sends = h.sentLate() ? String.format(java.util.Locale.ROOT, ", scheduled arrivals sent late by the worker itself p99 %.0f ms"
                        + " (max %.0f ms), which their ttft_intended includes", h.sendLateP99Micros() / 1000.0, h.sendLateMaxMicros() / 1000.0) : "";
                loaded.add(String.format(java.util.Locale.ROOT, "%s (event-loop delay p90 %.0f ms, CPU %.0f %% on average, GC %d ms%s)", s.workerId(),
                        h.eventLoopDelayP90Micros() / 1000.0, 100 * h.meanCpuShare(), h.gcMillis(), sends));
            }
        }
        if (loaded.isEmpty()) return java.util.Optional.empty();
        return java.util.Optional.of(new Flag(Flag.CLIENT_BOUND, step.stepId(), "client-bound: " + String.join(", ", loaded)
                + " - the worker, not the server, may have limited this step; add workers or lower the load per worker"));
    }

    /**
     * The skew is max minus min of the workers' start lateness, each on its own clock. Start instants are translated by
     * the measured clock offsets, so the offsets' own measurement error (at most rtt / 2) is not in it.
     */
    static StepResult.StartSpread startSpread(List<Share> shares) {
        Map<String, Double> lateMs = new java.util.TreeMap<>();
        Map<String, Double> coreWaitMs = new java.util.TreeMap<>();
        for (Share s : shares) {
            if (s.totals() == null || s.totals().startLateMicros() == null) continue; // a share aborted before it began
            lateMs.put(s.workerId(), s.totals().startLateMicros() / 1000.0);
            if (s.totals().startCoreWaitMicros() != null) coreWaitMs.put(s.workerId(), s.totals().startCoreWaitMicros() / 1000.0);
        }
        if (lateMs.size() < 2) return StepResult.StartSpread.NONE;
        double skew = java.util.Collections.max(lateMs.values()) - java.util.Collections.min(lateMs.values());
        return new StepResult.StartSpread(skew, lateMs, coreWaitMs.isEmpty() ? null : coreWaitMs);
    }

    private static OpenLoopStats openLoop(StepSpec step, List<Share> shares, List<RequestRecord> records, Map<Metric, Histogram> h, double windowSeconds) {
        double msFactor = step.target().timeScale() / 1000.0;
        int scheduled = 0, notSent = 0, sentInWindow = 0;
        for (Share s : shares) {
            if (s.totals() == null) continue;
            scheduled += s.totals().scheduledInWindow();
            notSent += s.totals().notSent();
            sentInWindow += sentInWindow(s);
        }
        double[] lags = records.stream().filter(r -> r.times().scheduleLagMicros() != null).mapToDouble(r -> r.times().scheduleLagMicros() * msFactor).sorted().toArray();
        Double e2eIntended = median(records.stream().filter(r -> r.ok() && r.times().e2eMicros() != null && r.times().scheduleLagMicros() != null)
                .map(r -> (r.times().e2eMicros() + r.times().scheduleLagMicros()) * msFactor).toList());
        return new OpenLoopStats(step.openLoop().ratePerSecond(), windowSeconds > 0 ? sentInWindow / windowSeconds : 0, scheduled, notSent,
                lags.length == 0 ? Double.NaN : Fairness.quantile(lags, 0.5), lags.length == 0 ? Double.NaN : Fairness.quantile(lags, 0.99),
                Percentiles.of(h.get(Metric.TTFT_INTENDED_MICROS), msFactor), e2eIntended == null ? Double.NaN : e2eIntended);
    }

    /**
     * Requests a worker actually sent inside its window, whenever they were due: arrivals due in the window but held by the
     * in-flight cap until after it are not, so the achieved rate cannot exceed what the server let through.
     */
    private static int sentInWindow(Share s) {
        long from = s.totals().windowStartEpochMicros();
        long to = from + s.totals().windowMicros();
        return (int) s.records().stream().filter(r -> r.times().sendEpochMicros() >= from && r.times().sendEpochMicros() < to).count();
    }

    private static String describe(io.tokensiege.common.protocol.TargetFacts.PromptSizing sizing) {
        return String.format(java.util.Locale.ROOT, "%s: %.2f chars/token, +%d tokens of template", sizing.source(), sizing.charsPerToken(), sizing.overheadTokens());
    }

    static Double median(List<Double> values) {
        if (values.isEmpty()) return null;
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
