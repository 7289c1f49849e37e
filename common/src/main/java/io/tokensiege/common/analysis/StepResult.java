package io.tokensiege.common.analysis;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;
import java.util.Map;
import io.tokensiege.common.protocol.ConnectionStats;

/**
 * Everything tokensiege concluded about one step, merged over workers, in the target's own time
 * (see {@link Percentiles}). Durations in ms, rates in tokens or requests per second.
 *
 * @param ttftMs             time to first token (any channel) percentiles, ms
 * @param ttfaMs             time to first answer token (content or tool call), ms
 * @param decodeTokS         per-request decode rate percentiles, tok/s
 * @param aggregateTokS      tokens arriving inside the window per second, all workers
 * @param coldTtftMs         TURNS steps: turn 1's TTFT (median over workers/repeats), else null
 * @param warmTtftMs         TURNS steps: median TTFT of turns 2+, else null
 * @param warmCachedShare    TURNS steps: cached / prompt tokens over turns 2+ as the server reported, else null
 * @param workerShares       streams per worker
 * @param goodput            share of requests meeting every per-request SLO threshold (errors are misses), null without an SLO
 * @param sloBreaches        the step-level SLO thresholds this step breaks
 * @param startSkewMs        spread of the workers' actual start times (wall clocks), ms; null with one worker
 * @param promptSize         prompt tokens asked for beside those the server counted
 * @param server             the server's own account of the requests (llama.cpp timings), or null
 * @param connections        what the server did with the workers' connections, summed
 * @param errorReasons       why requests failed, most frequent first
 * @param agents             SESSIONS steps: turn by turn, cold against warm, cache and tool figures; else null
 * @param parts              mixed steps: per part (and "probe"), its own figures; empty otherwise
 * @param decodingAtOnce     sequences between their first and last token at once, on average over the window (Little's law
 *                           on the decode phase: it can never exceed the streams); null for untimed steps
 */
public record StepResult(String stepId, String label, String target, String scenario, String kind, int concurrency, int repeat,
                         double timeScale, boolean simulated, Map<String, Integer> workerShares,
                         int requests, int ok, Map<String, Integer> errorsByClass, int cancelledAtEnd, double errorRate,
                         Percentiles ttftMs, Percentiles ttfaMs, Percentiles ttfbMs, Percentiles e2eMs, Percentiles tpotMs,
                         Percentiles itlMs, Percentiles decodeTokS, Percentiles outputTokens,
                         double aggregateTokS, double requestRate, double windowSeconds,
                         Double coldTtftMs, Double warmTtftMs, Double warmCachedShare, Integer warmCachedTokens, Integer warmPromptTokens,
                         Double reasoningShare, Fairness fairness, AnswerSanity sanity, Double goodput, List<String> sloBreaches,
                         OpenLoopStats open, Double startSkewMs, List<Flag> flags, boolean partial, String partialReason,
                         PromptSize promptSize, ServerView server, ConnectionStats connections, List<ErrorReason> errorReasons,
                         Double decodingAtOnce, AgentView agents, Map<String, PartView> parts) {

    /**
     * Why this step has no successful request, in words: "failed: 5/5 http_4xx exceed_context_size (7,868 > 4,096 tokens)", or for a
     * step where no measured request finished, its nothing_measured flag ("nothing measured: the target answered none of ..."); null
     * when any request succeeded.
     */
    @JsonIgnore
    public String failureSummary() {
        if (ok > 0) return null;
        if (requests == 0) {
            return flags == null ? null : flags.stream().filter(f -> Flag.NOTHING_MEASURED.equals(f.code())).map(Flag::message).findFirst().orElse(null);
        }
        if (errorReasons == null || errorReasons.isEmpty()) return "failed: " + requests + "/" + requests + " " + errorsByClass;
        ErrorReason top = errorReasons.get(0);
        return "failed: " + top.count() + "/" + requests + " " + top.errorClass() + (top.explanation().isEmpty() ? "" : " " + top.explanation())
                + (errorReasons.size() > 1 ? " (and " + (requests - top.count()) + " more)" : "");
    }

    /** The sweep level: requests per second for an open loop, streams otherwise. */
    @JsonIgnore
    public double level() {
        return open != null ? open.requestedRate() : concurrency;
    }

    /** TTFT as the user felt it: from the intended start in an open loop (coordinated omission), else from send. */
    @JsonIgnore
    public Percentiles userTtftMs() {
        return open != null ? open.ttftIntendedMs() : ttftMs;
    }

    /** The level in words: "8 streams", "4 sessions" or "2 req/s". */
    @JsonIgnore
    public String levelLabel() {
        if (open != null) return io.tokensiege.common.protocol.StepSpec.rateLabel(open.requestedRate()) + " req/s";
        String unit = "SESSIONS".equals(kind) ? "session" : "stream";
        return concurrency + " " + unit + (concurrency == 1 ? "" : "s");
    }
}
