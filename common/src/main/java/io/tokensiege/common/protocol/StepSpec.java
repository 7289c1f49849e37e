package io.tokensiege.common.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.tokensiege.common.plan.Limits;
import io.tokensiege.common.plan.Target;
import io.tokensiege.common.plan.Timeouts;
import java.util.List;

/**
 * One step of a run — (target, scenario, load level, repeat) — as every worker sees it. The worker's
 * own share (how many of the streams) travels beside it in {@link AssignStep}.
 *
 * @param requests       SEQUENTIAL/TURNS/WARMUP: request count; CLOSED: requests per stream (0 = run for durationMillis)
 * @param promptTokens   size of a generated prompt (0 for prefix steps)
 * @param uniquePrompt   lead every prompt with a nonce so no cache can serve it
 * @param prefixTokens   size of the agent prefix for TURNS steps
 * @param nonce          per-step random text that keeps runs and repeats from sharing a cache
 * @param openLoop       OPEN steps: the arrival process (then {@code concurrency} is the in-flight cap)
 * @param limits         bounds on what is read from the server per request (null = {@link Limits#DEFAULT})
 * @param facts          what the coordinator learned about the target (prompt sizing, connection habit); null = nothing yet
 * @param conversation   SESSIONS steps: how each agent session talks (per-session prefix, tools, think time); else null
 * @param mix            CLOSED steps of a mixed workload: the weighted parts each request is drawn from, and the probe; else null
 * @param replay         steps that replay a trace (CLOSED: as fast as the streams go; OPEN: at the trace's own times); the
 *                       records travel separately, in {@link TraceChunk}s; else null
 */
public record StepSpec(String stepId, int index, StepKind kind, Target target, String scenario, int concurrency, int repeat,
                       int requests, long durationMillis, long rampMillis, long thinkMillis, int maxTokens, double temperature,
                       int promptTokens, boolean uniquePrompt, int prefixTokens, List<String> prefixParts, Timeouts timeouts,
                       long seed, String nonce, OpenLoop openLoop, Limits limits, TargetFacts facts, Conversation conversation,
                       io.tokensiege.common.plan.Scenario.Mix mix, Replay replay) {

    public StepSpec {
        if (limits == null) limits = Limits.DEFAULT;
        if (facts == null) facts = TargetFacts.UNKNOWN;
    }

    /** A step that is not an agent session's. */
    public StepSpec(String stepId, int index, StepKind kind, Target target, String scenario, int concurrency, int repeat, int requests,
                    long durationMillis, long rampMillis, long thinkMillis, int maxTokens, double temperature, int promptTokens, boolean uniquePrompt,
                    int prefixTokens, List<String> prefixParts, Timeouts timeouts, long seed, String nonce, OpenLoop openLoop, Limits limits,
                    TargetFacts facts) {
        this(stepId, index, kind, target, scenario, concurrency, repeat, requests, durationMillis, rampMillis, thinkMillis, maxTokens, temperature,
                promptTokens, uniquePrompt, prefixTokens, prefixParts, timeouts, seed, nonce, openLoop, limits, facts, null, null, null);
    }

    /** A step that replays no trace. */
    public StepSpec(String stepId, int index, StepKind kind, Target target, String scenario, int concurrency, int repeat, int requests,
                    long durationMillis, long rampMillis, long thinkMillis, int maxTokens, double temperature, int promptTokens, boolean uniquePrompt,
                    int prefixTokens, List<String> prefixParts, Timeouts timeouts, long seed, String nonce, OpenLoop openLoop, Limits limits,
                    TargetFacts facts, Conversation conversation, io.tokensiege.common.plan.Scenario.Mix mix) {
        this(stepId, index, kind, target, scenario, concurrency, repeat, requests, durationMillis, rampMillis, thinkMillis, maxTokens, temperature,
                promptTokens, uniquePrompt, prefixTokens, prefixParts, timeouts, seed, nonce, openLoop, limits, facts, conversation, mix, null);
    }

    public StepSpec withFacts(TargetFacts f) {
        return new StepSpec(stepId, index, kind, target, scenario, concurrency, repeat, requests, durationMillis, rampMillis, thinkMillis, maxTokens,
                temperature, promptTokens, uniquePrompt, prefixTokens, prefixParts, timeouts, seed, nonce, openLoop, limits, f, conversation, mix, replay);
    }

    /**
     * How a step replays a trace.
     *
     * @param trace     where the trace came from (a file name or builtin:NAME)
     * @param timing    "as_fast_as_possible" (each stream sends its next record when the last one ends), "original" or "scaled"
     * @param speed     the plan's speed-up of the trace's times (1 for original timing)
     * @param realSpeed the speed-up to send at in wall time ({@code speed} x the target's time scale)
     * @param cycle     as fast as possible for a duration: start the trace again when it is used up
     */
    public record Replay(String trace, String timing, double speed, double realSpeed, boolean cycle) {
        public static final String AS_FAST_AS_POSSIBLE = io.tokensiege.common.plan.Scenario.TraceReplay.AS_FAST_AS_POSSIBLE;

        @JsonIgnore
        public boolean paced() {
            return !AS_FAST_AS_POSSIBLE.equals(timing);
        }
    }

    /**
     * How each agent session of a SESSIONS step talks.
     *
     * @param perSessionPrefix each session its own prefix (a nonce leads it), else one prefix shared by all
     * @param tools            the tools offered, or null
     * @param think            think time between turns around {@code thinkMillis}: "constant" or "exponential"
     * @param staggered        sessions start spread over the ramp, else together
     */
    public record Conversation(boolean perSessionPrefix, io.tokensiege.common.plan.Scenario.Tools tools, String think, boolean staggered) {
        /** Tool calls answered in a row within one turn before the turn is given up (a model looping on tools). */
        public static final int MAX_FOLLOW_UPS = 4;

        /** The most requests one conversation of {@code turns} turns can send: each turn and its follow-ups. */
        public int maxRequests(int turns) {
            return turns * (1 + (tools == null ? 0 : MAX_FOLLOW_UPS));
        }
    }

    /**
     * @param ratePerSecond     requested rate in the target's own time (what the user wrote)
     * @param realRatePerSecond the rate to send at in wall time (x the target's time scale)
     */
    public record OpenLoop(double ratePerSecond, double realRatePerSecond, String arrival, double burstiness) {}

    /**
     * Steps that carry a measurement window of fixed length: a closed loop or sessions by duration, an open loop.
     * Sessions without a duration hold one conversation each.
     */
    @JsonIgnore
    public boolean isTimed() {
        return (kind == StepKind.CLOSED && requests == 0) || kind == StepKind.OPEN || (kind == StepKind.SESSIONS && durationMillis > 0);
    }

    @JsonIgnore
    public String label() {
        if (replay != null && replay.paced()) {
            String pace = "original".equals(replay.timing()) ? "original timing" : "x" + rateLabel(replay.speed()) + " speed";
            return target.name() + " / " + scenario + " replay (" + pace + ")" + (repeat > 1 ? " #" + repeat : "");
        }
        String level = kind == StepKind.CLOSED ? " @" + concurrency : kind == StepKind.OPEN ? " @" + rateLabel(openLoop.ratePerSecond()) + " req/s"
                : kind == StepKind.SESSIONS ? " @" + concurrency + (concurrency == 1 ? " session" : " sessions") : "";
        return target.name() + " / " + scenario + level + (repeat > 1 ? " #" + repeat : "");
    }

    public static String rateLabel(double rate) {
        return rate == Math.rint(rate) ? String.valueOf((long) rate) : String.valueOf(rate);
    }
}
