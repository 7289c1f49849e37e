package io.tokensiege.common.plan;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * One workload shape (docs/design.md §5). Exactly one of {@code prompt} (a generated prompt of about
 * {@code tokens} tokens, {@code unique} = a nonce so no cache can serve it) or {@code prefix} (a stable
 * agent prefix sent with {@code turns} different user turns; turn 1 is cold, the rest warm).
 * Without {@code load}, {@code requests} run one after another; with it, one step per concurrency level. A prefix
 * scenario with {@code load: { sessions: [...] }} runs agent sessions: each a conversation of {@code turns} turns
 * whose history grows with every reply and tool result, that many at once.
 *
 * @param tools the tools sent with an agent's requests, or null
 * @param mix   a mixed workload: each request of the step drawn from weighted parts (instead of prompt or prefix), or null
 * @param trace a trace replayed as recorded (instead of prompt, prefix or mix), or null
 */
public record Scenario(String name, Prompt prompt, Prefix prefix, int turns, int requests, int maxTokens, Load load, int repeat, Tools tools,
                       Mix mix, TraceReplay trace) {
    /** An agent prefix's turns when the plan does not say. */
    public static final int DEFAULT_TURNS = 5;
    /** Requests of a scenario without load, one after another, when the plan does not say. */
    public static final int DEFAULT_REQUESTS = 5;

    /**
     * A trace's records sent as recorded: at their own times ({@code original}), sped up ({@code scaled} by
     * {@code speed}), or as fast as a concurrency level allows ({@code as_fast_as_possible}, with {@code load}).
     *
     * @param file    the trace file as the plan names it (relative to the plan's folder), or null
     * @param builtin the name of a trace in the jar, or null
     * @param trace   the records, read and validated with the plan (never written out with it)
     */
    public record TraceReplay(String file, String builtin, String timing, double speed, @JsonIgnore io.tokensiege.common.trace.Trace trace) {
        /** The timing that replays the records back to back at each concurrency level, ignoring their times. */
        public static final String AS_FAST_AS_POSSIBLE = "as_fast_as_possible";

        /** Where it came from, as results name it. */
        @JsonIgnore
        public String source() {
            return builtin != null ? "builtin:" + builtin : file;
        }
    }

    @JsonIgnore
    public boolean isSweep() {
        return load != null;
    }

    /** A generated prompt; by default 64 tokens with a nonce, so no cache can serve it. */
    public record Prompt(int tokens, boolean unique) {
        public static final int DEFAULT_TOKENS = 64;
        public static final boolean DEFAULT_UNIQUE = true;
    }

    /** @param perSession each agent session its own prefix (distinct prefixes compete for the server's cache), else one shared */
    public record Prefix(int tokens, List<String> parts, boolean perSession) {
        public static final List<String> PARTS = List.of("role", "tools", "memory", "history");
        public static final int DEFAULT_TOKENS = 2_000;
        /** Below this a prefix has no room for its parts' headers. */
        public static final int MIN_TOKENS = 16;
    }

    /**
     * Several workloads in one load level: each request is drawn from the parts by weight (80 % agent turns, 15 %
     * long cold prompts, 5 % long decodes), and an optional probe sends a short request at a low rate alongside, so
     * the report shows how one long prefill delays everyone else's first token.
     */
    public record Mix(List<Part> parts, Probe probe) {
        /** A part: exactly one of {@code prompt} (a generated prompt) or {@code prefix} (a turn of a shared agent prefix). */
        public record Part(String name, int weight, Prompt prompt, Prefix prefix, int maxTokens) {}

        /** A short cold prompt of {@code tokens} every {@code everyMillis}, at most one in flight; by default 32 tokens every 2 s, 16 out. */
        public record Probe(int tokens, long everyMillis, int maxTokens) {
            public static final Probe DEFAULT = new Probe(32, 2_000, 16);
        }

        @JsonIgnore
        public int totalWeight() {
            return parts.stream().mapToInt(Part::weight).sum();
        }
    }

    /**
     * Tools an agent offers the model, sent as OpenAI {@code tools}.
     *
     * @param schemas       OpenAI function schemas ({@code tools: builtin} gives the ten of ToolCatalog)
     * @param choice        {@code tool_choice} on every turn: "auto", "none", "required", or a named function
     * @param requiredTurns turns (1-based) that ask for a tool call with {@code tool_choice: required}
     * @param resultTokens  size of the synthetic result appended after each tool call, in tokens
     */
    public record Tools(List<java.util.Map<String, Object>> schemas, Object choice, List<Integer> requiredTurns, int resultTokens) {}

    /**
     * Load, one step per level. Agent sessions: {@code sessions} conversations at once for {@code durationMillis}, with
     * a {@code think} time between turns ({@code constant} or {@code exponential} around {@code thinkMillis}), started
     * together or {@code staggered} over the ramp. Closed loop: {@code concurrency} streams, each for {@code durationMillis}
     * or {@code requestsPerStream} requests, pausing {@code thinkMillis} between requests. Open loop:
     * {@code rate} requests per second arriving as {@code arrival} (poisson, gamma with coefficient of
     * variation {@code burstiness}, or constant), at most {@code maxInFlight} at once (the rest are counted
     * as not sent). {@code untilCollapse} skips the levels above the first one that collapsed; {@code refineSteps}
     * extra levels bisect between the last good and the first collapsed level (0 = no refinement).
     */
    public record Load(List<Integer> concurrency, List<Double> rate, String arrival, double burstiness, int maxInFlight,
                       long durationMillis, int requestsPerStream, long thinkMillis, boolean untilCollapse, int refineSteps,
                       List<Integer> sessions, String think, boolean staggered) {
        /** Open-loop arrival processes; the first is the default. */
        public static final List<String> ARRIVALS = List.of("poisson", "gamma", "constant");
        /** Think-time distributions of agent sessions; the first is the default. */
        public static final List<String> THINKS = List.of("constant", "exponential");
        /** How agent sessions start; the first (over the ramp) is the default. */
        public static final List<String> STARTS = List.of("staggered", "together");
        /** Coefficient of variation of gamma arrivals (1 = as bursty as Poisson). */
        public static final double DEFAULT_BURSTINESS = 1.0;
        /** Open-loop requests in flight at once before arrivals are counted as not sent. */
        public static final int DEFAULT_MAX_IN_FLIGHT = 1_000;
        /** Extra levels bisecting towards the knee when {@code refine: true}. */
        public static final int DEFAULT_REFINE_STEPS = 3;

        @JsonIgnore
        public boolean isOpen() {
            return rate != null && !rate.isEmpty();
        }

        /** Agent sessions: {@code sessions} conversations at once, the level of the sweep. */
        @JsonIgnore
        public boolean isSessions() {
            return sessions != null && !sessions.isEmpty();
        }

        /** The levels of the sweep: rates (req/s) for open loop, session or stream counts otherwise. */
        @JsonIgnore
        public List<Double> levels() {
            if (isOpen()) return rate;
            return (isSessions() ? sessions : concurrency).stream().map(Integer::doubleValue).toList();
        }
    }
}
