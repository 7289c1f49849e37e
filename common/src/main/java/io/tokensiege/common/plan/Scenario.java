package io.tokensiege.common.plan;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;

/**
 * One workload shape (DESIGN.md §5). Exactly one of {@code prompt} (a generated prompt of about
 * {@code tokens} tokens, {@code unique} = a nonce so no cache can serve it) or {@code prefix} (a stable
 * agent prefix sent with {@code turns} different user turns; turn 1 is cold, the rest warm).
 * Without {@code load}, {@code requests} run one after another; with it, one step per concurrency level.
 */
public record Scenario(String name, Prompt prompt, Prefix prefix, int turns, int requests, int maxTokens, Load load, int repeat) {

    @JsonIgnore
    public boolean isSweep() {
        return load != null;
    }

    public record Prompt(int tokens, boolean unique) {}

    public record Prefix(int tokens, List<String> parts) {
        public static final List<String> PARTS = List.of("role", "tools", "memory", "history");
    }

    /**
     * Load, one step per level. Closed loop: {@code concurrency} streams, each for {@code durationMillis}
     * or {@code requestsPerStream} requests, pausing {@code thinkMillis} between requests. Open loop:
     * {@code rate} requests per second arriving as {@code arrival} (poisson, gamma with coefficient of
     * variation {@code burstiness}, or constant), at most {@code maxInFlight} at once (the rest are counted
     * as not sent). {@code untilCollapse} skips the levels above the first one that collapsed; {@code refineSteps}
     * extra levels bisect between the last good and the first collapsed level (0 = no refinement).
     */
    public record Load(List<Integer> concurrency, List<Double> rate, String arrival, double burstiness, int maxInFlight,
                       long durationMillis, int requestsPerStream, long thinkMillis, boolean untilCollapse, int refineSteps) {
        @JsonIgnore
        public boolean isOpen() {
            return rate != null && !rate.isEmpty();
        }

        /** The levels of the sweep: rates (req/s) for open loop, stream counts for closed loop. */
        @JsonIgnore
        public List<Double> levels() {
            return isOpen() ? rate : concurrency.stream().map(Integer::doubleValue).toList();
        }
    }
}
