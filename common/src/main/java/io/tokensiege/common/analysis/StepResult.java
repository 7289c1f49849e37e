package io.tokensiege.common.analysis;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import io.tokensiege.common.protocol.ConnectionStats;

/**
 * Everything tokensiege concluded about one step, merged over workers, in the target's own time
 * (see {@link Percentiles}). Durations in ms, rates in tokens or requests per second.
 *
 * <p>The figures come in value groups ({@link Identity}, {@link Outcome}, ...). They are {@code @JsonUnwrapped}, so
 * {@code results.json} keeps one flat object per step and runs written before the groups existed still read.
 *
 * @param workerShares       streams per worker
 * @param reasoningShare     reasoning tokens / output tokens, or null without output
 * @param start              when the workers began their shares: the start skew and what the hosts had to do with it
 * @param promptSize         prompt tokens asked for beside those the server counted
 * @param server             the server's own account of the requests (llama.cpp timings), or null
 * @param connections        what the server did with the workers' connections, summed
 * @param agents             SESSIONS steps: turn by turn, cold against warm, cache and tool figures; else null
 * @param parts              mixed steps: per part (and "probe"), its own figures; empty otherwise
 */
public record StepResult(@JsonUnwrapped Identity identity, Map<String, Integer> workerShares, @JsonUnwrapped Outcome outcome,
                         @JsonUnwrapped Distributions dist, @JsonUnwrapped Throughput throughput, @JsonUnwrapped WarmTurns warm,
                         Double reasoningShare, Fairness fairness, AnswerSanity sanity, @JsonUnwrapped Checks checks,
                         OpenLoopStats open, @JsonUnwrapped StartSpread start, PromptSize promptSize, ServerView server, ConnectionStats connections,
                         AgentView agents, Map<String, PartView> parts) {

    public StepResult {
        if (start == null) start = StartSpread.NONE;
    }

    /** Which step this is: its plan coordinates and the time scale its figures were converted by. */
    public record Identity(String stepId, String label, String target, String scenario, String kind, int concurrency, int repeat,
                           double timeScale, boolean simulated) {}

    /**
     * How the step's requests ended.
     *
     * @param errorReasons why requests failed, most frequent first
     */
    public record Outcome(int requests, int ok, Map<String, Integer> errorsByClass, int cancelledAtEnd, double errorRate,
                          List<ErrorReason> errorReasons) {}

    /**
     * Per-request distributions, merged exactly over workers.
     *
     * @param ttftMs     time to first token (any channel) percentiles, ms
     * @param ttfaMs     time to first answer token (content or tool call), ms
     * @param decodeTokS per-request decode rate percentiles, tok/s
     */
    public record Distributions(Percentiles ttftMs, Percentiles ttfaMs, Percentiles ttfbMs, Percentiles e2eMs, Percentiles tpotMs,
                                Percentiles itlMs, Percentiles decodeTokS, Percentiles outputTokens) {}

    /**
     * What the server delivered inside the measurement window.
     *
     * @param aggregateTokS  tokens arriving inside the window per second, all workers
     * @param decodingAtOnce sequences between their first token and the end of their decode at once, on average over the window
     *                       (Little's law on the decode phase: it can never exceed the streams); null for untimed steps
     */
    public record Throughput(double aggregateTokS, double requestRate, double windowSeconds, Double decodingAtOnce) {}

    /**
     * TURNS steps: the first turn against the turns that could reuse the server's prompt cache; all null otherwise.
     *
     * @param coldTtftMs      turn 1's TTFT (median over workers/repeats)
     * @param warmTtftMs      median TTFT of turns 2+
     * @param warmCachedShare cached / prompt tokens over turns 2+ as the server reported
     */
    public record WarmTurns(Double coldTtftMs, Double warmTtftMs, Double warmCachedShare, Integer warmCachedTokens,
                            Integer warmPromptTokens) {
        public static final WarmTurns NONE = new WarmTurns(null, null, null, null, null);
    }

    /**
     * What the step was judged by: SLO, flags and whether it ran to its end.
     *
     * @param goodput    share of requests meeting every per-request SLO threshold (errors are misses), null without an SLO
     * @param sloBreaches the step-level SLO thresholds this step breaks
     */
    public record Checks(Double goodput, List<String> sloBreaches, List<Flag> flags, boolean partial, String partialReason) {}

    /**
     * When the workers began their shares, with two or more workers (all null with one). docs/design.md §3 defines them.
     *
     * @param startSkewMs     max − min of {@code startLateMs}: the spread of the workers' starts
     * @param startLateMs     per worker, how long after the start instant it began, on its own clock
     * @param startCoreWaitMs per worker, how much of that its host kept the starting thread waiting for a core (a busy
     *                        machine); a worker whose kernel does not tell is absent
     */
    public record StartSpread(Double startSkewMs, Map<String, Double> startLateMs, Map<String, Double> startCoreWaitMs) {
        public static final StartSpread NONE = new StartSpread(null, null, null);
        /** A wait for a core below this is a scheduler's ordinary latency, not worth a word. */
        private static final double WORTH_SAYING_MS = 1.0;

        /** "start skew 35.4 ms", with the latest worker's wait for a core when its host made a part of it worth saying. */
        public String describe() {
            if (startSkewMs == null) return null;
            String text = String.format(Locale.ROOT, "start skew %.1f ms", startSkewMs);
            if (startLateMs == null || startCoreWaitMs == null) return text;
            return startLateMs.entrySet().stream().max(Map.Entry.comparingByValue())
                    .filter(latest -> startCoreWaitMs.getOrDefault(latest.getKey(), 0.0) >= WORTH_SAYING_MS)
                    .map(latest -> text + String.format(Locale.ROOT, " (%s waited %.1f ms of its %.1f ms for a core: a busy host)", latest.getKey(),
                            startCoreWaitMs.get(latest.getKey()), latest.getValue()))
                    .orElse(text);
        }
    }

    /** This result with the step-level SLO breaches found on it. */
    public StepResult withSloBreaches(List<String> breaches) {
        Checks judged = new Checks(checks.goodput(), breaches, checks.flags(), checks.partial(), checks.partialReason());
        return new StepResult(identity, workerShares, outcome, dist, throughput, warm, reasoningShare, fairness, sanity, judged, open,
                start, promptSize, server, connections, agents, parts);
    }

    /**
     * Why this step has no successful request, in words: "failed: 5/5 http_4xx exceed_context_size (7,868 > 4,096 tokens)", or for a
     * step where no measured request finished, its nothing_measured flag ("nothing measured: the target answered none of ..."); null
     * when any request succeeded.
     */
    @JsonIgnore
    public String failureSummary() {
        if (outcome.ok() > 0) return null;
        int requests = outcome.requests();
        if (requests == 0) {
            List<Flag> flags = checks.flags();
            return flags == null ? null : flags.stream().filter(f -> Flag.NOTHING_MEASURED.equals(f.code())).map(Flag::message).findFirst().orElse(null);
        }
        List<ErrorReason> reasons = outcome.errorReasons();
        if (reasons == null || reasons.isEmpty()) return "failed: " + requests + "/" + requests + " " + outcome.errorsByClass();
        ErrorReason top = reasons.get(0);
        return "failed: " + top.count() + "/" + requests + " " + top.errorClass() + (top.explanation().isEmpty() ? "" : " " + top.explanation())
                + (reasons.size() > 1 ? " (and " + (requests - top.count()) + " more)" : "");
    }

    /** The sweep level: requests per second for an open loop, streams otherwise. */
    @JsonIgnore
    public double level() {
        return open != null ? open.requestedRate() : identity.concurrency();
    }

    /** TTFT as the user felt it: from the intended start in an open loop (coordinated omission), else from send. */
    @JsonIgnore
    public Percentiles userTtftMs() {
        return open != null ? open.ttftIntendedMs() : dist.ttftMs();
    }

    /** The level in words: "8 streams", "4 sessions" or "2 req/s". */
    @JsonIgnore
    public String levelLabel() {
        if (open != null) return io.tokensiege.common.protocol.StepSpec.rateLabel(open.requestedRate()) + " req/s";
        int concurrency = identity.concurrency();
        String unit = "SESSIONS".equals(identity.kind()) ? "session" : "stream";
        return concurrency + " " + unit + (concurrency == 1 ? "" : "s");
    }
}
