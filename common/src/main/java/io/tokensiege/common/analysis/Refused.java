package io.tokensiege.common.analysis;

import io.tokensiege.common.metric.RequestRecord;
import java.util.List;
import java.util.Optional;

/**
 * A step in which the target refused every request as unauthorised (401) or forbidden (403): a key it does not accept, no
 * key, or a key sent in a header it does not read. Its other steps would only repeat the refusal, thousands of times a
 * minute against a gateway that may lock the key out.
 *
 * @param sent   requests of the step the server answered (measured or not); those the step's end cancelled unanswered
 *               are left out: they were never refused, nor answered
 * @param status the first refusal's status
 * @param reason the first refusal's reason as the server gave it (e.g. "authentication: Invalid API Key"), or null
 */
public record Refused(int sent, int status, String reason) {

    /** Present when at least one request was refused and every other one was too, or cancelled by the step's end before any answer. */
    public static Optional<Refused> of(List<RequestRecord> records) {
        RequestRecord.Outcome first = null;
        int refused = 0;
        for (RequestRecord r : records) {
            if (r.outcome().cancelled() && r.outcome().httpStatus() == 0) continue;
            if (!refusal(r.outcome().httpStatus())) return Optional.empty();
            if (first == null) first = r.outcome();
            refused++;
        }
        return first == null ? Optional.empty() : Optional.of(new Refused(refused, first.httpStatus(), first.errorReason()));
    }

    private static boolean refusal(int status) {
        return status == 401 || status == 403;
    }

    /** e.g. "refused all 12 requests with HTTP 401 (authentication: Invalid API Key)". */
    public String describe() {
        String requests = sent == 1 ? "the one request" : "all " + sent + " requests";
        return "refused " + requests + " with HTTP " + status + (reason == null || reason.isBlank() ? "" : " (" + reason + ")");
    }
}
