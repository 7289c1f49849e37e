package io.tokensiege.coordinator.report;

import io.tokensiege.coordinator.event.RunListener.LiveStats;
import java.util.Locale;

/**
 * The live figures of a running step as one line, the same on the local console, over the REST API and on a remote
 * client: units, thousands separators, and "—" where there is nothing yet (never NaN).
 */
public final class LiveLine {
    private LiveLine() {}

    public static String format(LiveStats s) {
        String elapsed = s.expectedMillis() > 0 ? String.format(Locale.ROOT, "%.0f/%.0f s", s.elapsedMillis() / 1000.0, s.expectedMillis() / 1000.0)
                : String.format(Locale.ROOT, "%.0f s", s.elapsedMillis() / 1000.0);
        return String.format(Locale.ROOT, "%s  TTFT p50 %s p95 %s (last %.0f s)  %s tok/s  %,d done  %,d err  %,d in flight (%,d before first token)%s",
                elapsed, ms(s.ttftP50Ms()), ms(s.ttftP95Ms()), s.windowMillis() / 1000.0,
                s.outputTokS() == null ? "—" : String.format(Locale.ROOT, "%,.0f", s.outputTokS()), s.completed(), s.errors(), s.inFlight(),
                s.awaitingFirstToken(), s.queued() > 0 ? String.format(Locale.ROOT, ", %,d queued", s.queued()) : "");
    }

    static String ms(Double v) {
        return v == null || v.isNaN() ? "—" : String.format(Locale.ROOT, "%,.0f ms", v);
    }
}
