package io.tokensiege.coordinator.server;

import io.tokensiege.common.protocol.ConnectionStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a server did with the workers' connections over a run, in one line for the report, e.g. "closes
 * connections after each response while advertising Keep-Alive: timeout=5, max=100: 1 connection per request;
 * 412 connects, p50 0.2 ms".
 */
public final class ConnectionNote {
    private ConnectionNote() {}

    /** {@code connectP50Ms} is the median time to open one (null when none was measured). */
    public static String describe(ConnectionStats c, Double connectP50Ms) {
        List<String> parts = new ArrayList<>();
        String connects = c.connects() + " connect" + (c.connects() == 1 ? "" : "s")
                + (connectP50Ms == null ? "" : String.format(Locale.ROOT, ", p50 %.1f ms (inside those requests' TTFT)", connectP50Ms));
        if (c.perRequest()) {
            parts.add("closes connections after each response" + (c.keepAliveHeader() == null ? "" : " while advertising Keep-Alive: " + c.keepAliveHeader())
                    + ": 1 connection per request; " + connects);
        } else if (c.reusedRequests() > 0) {
            parts.add("keeps connections alive: " + c.reusedRequests() + " requests reused one; " + connects);
        } else {
            parts.add(connects);
        }
        if (c.staleRetries() > 0) {
            parts.add(c.staleRetries() + " request" + (c.staleRetries() == 1 ? "" : "s") + " found a kept-alive connection already closed by the server"
                    + " and went again on a fresh one (not counted as errors)");
        }
        if (c.idleClosed() > 0) {
            Double advertised = advertisedTimeoutSeconds(c.keepAliveHeader());
            boolean sooner = advertised != null && c.minIdleCloseMillis() < 900 * advertised;
            parts.add(String.format(Locale.ROOT, "closed %d idle connection%s (the soonest %.1f s after it was last used%s)", c.idleClosed(),
                    c.idleClosed() == 1 ? "" : "s", c.minIdleCloseMillis() / 1000.0,
                    sooner ? String.format(Locale.ROOT, ", sooner than the timeout=%s it advertises", io.tokensiege.common.analysis.KneeFinder.trim(advertised)) : ""));
        }
        if (c.connectionCloseHeaders() > 0) parts.add(c.connectionCloseHeaders() + " responses said Connection: close");
        if (c.closeDelimitedBodies() > 0) parts.add(c.closeDelimitedBodies() + " responses were ended by closing the connection (HTTP/1.0 style)");
        return String.join("; ", parts);
    }

    /** The {@code timeout=N} of a Keep-Alive header, in seconds, or null. */
    static Double advertisedTimeoutSeconds(String keepAlive) {
        if (keepAlive == null) return null;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)\\btimeout\\s*=\\s*(\\d+)").matcher(keepAlive);
        return m.find() ? Double.valueOf(m.group(1)) : null;
    }
}
