package io.tokensiege.worker.load;

import io.tokensiege.common.plan.Limits;
import io.tokensiege.common.plan.Timeouts;
import io.tokensiege.common.security.Redactor;
import java.util.Map;
import java.util.Set;

/**
 * What every request of one worker's step shares: whose it is, its bounds, and how its records are cleaned and timed.
 *
 * @param tokenBound whether a request streaming far more token events than its max_tokens is cut ({@code overlong}):
 *                   not when the plan's extra_body sets the length itself or asks for several answers
 */
record ExchangeSetting(String stepId, String workerId, Timeouts timeouts, Limits limits, Redactor redactor, EpochClock clock, boolean tokenBound) {
    /** extra_body fields that set an answer's length (vLLM, llama.cpp, TGI) or the number of answers in one stream. */
    private static final Set<String> LENGTH_FIELDS = Set.of("max_completion_tokens", "n_predict", "max_new_tokens", "n", "best_of");

    ExchangeSetting(String stepId, String workerId, Timeouts timeouts, Limits limits, Redactor redactor, EpochClock clock) {
        this(stepId, workerId, timeouts, limits, redactor, clock, true);
    }

    static boolean tokenBound(Map<String, Object> extraBody) {
        return extraBody == null || extraBody.keySet().stream().noneMatch(LENGTH_FIELDS::contains);
    }
}
