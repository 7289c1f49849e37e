package io.tokensiege.common.analysis;

import io.tokensiege.common.metric.RequestRecord;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A step in which the target answered with a success status and then streamed no token in any request: every one that
 * ended ran into a timeout of its own with nothing generated (keep-alive comments, empty deltas, a model that never
 * starts). Its other steps would wait out the same timeouts; a short step would only say "nothing measured" while its
 * requests were still waiting. Requests the step's end cancelled are left out: they proved nothing either way.
 *
 * @param timedOut           requests that waited out a timeout without a token
 * @param error              the first one's error class (timeout_first_token, timeout_idle or timeout_total)
 * @param longestWaitSeconds the longest of those waits, in the target's own time
 */
public record Tokenless(int timedOut, String error, double longestWaitSeconds) {

    /** Present when at least one request timed out after a 2xx answer without a token, and every other one did too or was cancelled. */
    public static Optional<Tokenless> of(List<RequestRecord> records, double timeScale) {
        int timedOut = 0;
        String first = null;
        long longestMicros = 0;
        for (RequestRecord r : records) {
            if (r.outcome().cancelled()) continue;
            String error = r.outcome().error();
            boolean tokenless = r.outcome().httpStatus() / 100 == 2 && r.tokens().tokenEvents() == 0 && error != null && error.startsWith("timeout_");
            if (!tokenless) return Optional.empty();
            if (first == null) first = error;
            timedOut++;
            if (r.times().e2eMicros() != null) longestMicros = Math.max(longestMicros, r.times().e2eMicros());
        }
        return first == null ? Optional.empty() : Optional.of(new Tokenless(timedOut, first, longestMicros * timeScale / 1e6));
    }

    /** e.g. "answered the 2 requests with a success status but streamed no token in any: timeout_first_token after 180.0 s". */
    public String describe() {
        String requests = timedOut == 1 ? "the one request" : "all " + timedOut + " requests";
        return String.format(Locale.ROOT, "answered %s with a success status but streamed no token in any: %s after %.1f s", requests, error, longestWaitSeconds);
    }
}
