package io.tokensiege.common.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;
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
 */
public record StepSpec(String stepId, int index, StepKind kind, Target target, String scenario, int concurrency, int repeat,
                       int requests, long durationMillis, long rampMillis, long thinkMillis, int maxTokens, double temperature,
                       int promptTokens, boolean uniquePrompt, int prefixTokens, List<String> prefixParts, Timeouts timeouts,
                       long seed, String nonce) {

    /** Steps that carry a measurement window of fixed length (closed loop by duration). */
    @JsonIgnore
    public boolean isTimed() {
        return kind == StepKind.CLOSED && requests == 0;
    }

    @JsonIgnore
    public String label() {
        return target.name() + " / " + scenario + (kind == StepKind.CLOSED ? " @" + concurrency : "") + (repeat > 1 ? " #" + repeat : "");
    }
}
