package io.tokensiege.common.analysis;

import io.tokensiege.common.metric.RequestRecord;
import java.util.List;
import java.util.Optional;

/**
 * A step in which the target refused every request as unauthorised (401) or forbidden (403): a key it does not accept, no
 * key, or a key sent in a header it does not read. Its other steps would only repeat the refusal, thousands of times a
 * minute against a gateway that may lock the key out.
 *
 * @param sent   requests sent in the step, measured or not
 * @param status the first refusal's status
 * @param reason the first refusal's reason as the server gave it (e.g. "authentication: Invalid API Key"), or null
 */
public record Refused(int sent, int status, String reason) {

    /** Present when at least one request was sent and every one was answered 401 or 403. */
    public static Optional<Refused> of(List<RequestRecord> records) {
        if (records.isEmpty()) return Optional.empty();
        for (RequestRecord r : records) if (!refusal(r.outcome().httpStatus())) return Optional.empty();
        RequestRecord.Outcome first = records.get(0).outcome();
        return Optional.of(new Refused(records.size(), first.httpStatus(), first.errorReason()));
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
