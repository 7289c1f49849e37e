package io.tokensiege.common.analysis;

import io.tokensiege.common.metric.ErrorClass;
import io.tokensiege.common.metric.RequestRecord;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A step in which the target answered not one request: no response headers, not even an error status. Every
 * request counts here, measured or not, because a target that answers nothing leaves no measured request to
 * judge (its ramp requests hang, so no measured one is ever sent). A server that accepts TCP and never answers
 * looks like this; so does one that cannot be reached at all, and, for as long as a short step lasts, one that
 * is merely slow to start answering.
 *
 * @param sent               requests sent in the step
 * @param connectFailed      of those, the ones that could not connect
 * @param timedOut           of those, the ones that ran into a timeout of their own (first token, idle, total)
 * @param longestWaitSeconds the longest any of them waited for an answer, in the target's own time
 * @param tlsFailed          of the ones that could not connect, those whose TLS handshake failed (https:// to a plain-HTTP port)
 */
public record Unanswered(int sent, int connectFailed, int timedOut, double longestWaitSeconds, int tlsFailed) {

    /** Present when at least one request was sent and none got an answer. */
    public static Optional<Unanswered> of(List<RequestRecord> records, double timeScale) {
        if (records.isEmpty()) return Optional.empty();
        int connectFailed = 0;
        int tlsFailed = 0;
        int timedOut = 0;
        long longestMicros = 0;
        for (RequestRecord r : records) {
            if (r.outcome().httpStatus() > 0 || r.times().ttfbMicros() != null) return Optional.empty();
            if (ErrorClass.CONNECT.key().equals(r.outcome().error())) {
                connectFailed++;
                if (isTls(r.outcome().errorDetail())) tlsFailed++;
            }
            if (r.outcome().error() != null && r.outcome().error().startsWith("timeout_")) timedOut++;
            if (r.times().e2eMicros() != null) longestMicros = Math.max(longestMicros, r.times().e2eMicros());
        }
        return Optional.of(new Unanswered(records.size(), connectFailed, timedOut, longestMicros * timeScale / 1e6, tlsFailed));
    }

    private static boolean isTls(String detail) {
        return detail != null && (detail.contains("SSL") || detail.contains("TLS") || detail.toLowerCase(Locale.ROOT).contains("handshake"));
    }

    /** Every request connected, and failed in its TLS handshake: an https:// URL to a server that speaks plain HTTP, most often. */
    public boolean tlsOnly() {
        return unreachable() && tlsFailed == sent;
    }

    /** Every request failed to connect: nothing listens there (or a firewall drops it). */
    public boolean unreachable() {
        return connectFailed == sent;
    }

    /**
     * The target itself is to blame: nothing connects, or a request waited out its own timeout without a word. When the
     * step's end cancelled every request first, a slow server (a cold prefill longer than the step) looks the same, so
     * that alone proves nothing.
     */
    public boolean conclusive() {
        return unreachable() || timedOut > 0;
    }

    /** e.g. "answered none of the 3 requests sent: no response within 7.0 s, connections open". */
    public String describe() {
        String requests = sent + " request" + (sent == 1 ? "" : "s");
        if (tlsOnly()) return "could not be reached over TLS: " + (sent == 1 ? "the " : "all ") + requests + " failed in the TLS handshake";
        if (unreachable()) return "could not be reached: " + (sent == 1 ? "the " : "all ") + requests + " failed to connect";
        String open = connectFailed == 0 ? "connections open" : connectFailed + " failed to connect, the others had open connections";
        if (timedOut > 0) return String.format(Locale.ROOT, "answered none of the %s sent: no response within %.1f s, %s", requests, longestWaitSeconds, open);
        return String.format(Locale.ROOT, "answered none of the %s sent within the %.1f s the step lasted (%s; the step's end cancelled them)",
                requests, longestWaitSeconds, open);
    }
}
