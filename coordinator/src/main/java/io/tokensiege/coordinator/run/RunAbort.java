package io.tokensiege.coordinator.run;

import io.tokensiege.common.protocol.StepFinished;
import io.tokensiege.common.protocol.StepSpec;
import java.util.Collection;
import java.util.Locale;

/** Whether the run was asked to stop, by whom and when: set from any thread, read by the run's own. */
final class RunAbort {
    private volatile boolean requested;
    private volatile String reason = "the user";
    private volatile long atMillis;

    /** The first request wins: a later one keeps the first one's reason and instant. */
    void request(String reason) {
        if (requested) return;
        this.reason = reason;
        this.atMillis = System.currentTimeMillis();
        this.requested = true;
    }

    /** The run's thread was interrupted while waiting: the run stops, with no reason of its own. */
    void interrupted() {
        requested = true;
    }

    boolean requested() {
        return requested;
    }

    /** Who asked, after "aborted by". */
    String reason() {
        return reason;
    }

    /** The partial reason of the step the abort cut: when, and the window the measurement covered (in the target's own time). */
    String cutShort(StepSpec step, long startAt, Collection<StepFinished> shares) {
        double ts = step.target().timeScale();
        double atSeconds = Math.max(0, atMillis - startAt) * ts / 1000;
        String what = String.format(Locale.ROOT, "aborted by %s at +%.1f s", reason, atSeconds);
        if (!step.isTimed()) return what + ": only the requests finished by then are counted";
        long coveredMicros = shares.stream().filter(f -> f.totals() != null).mapToLong(f -> f.totals().windowMicros()).max().orElse(0);
        return what + String.format(Locale.ROOT, ": measured over the %.1f s of the window it covered, of %.1f s planned",
                coveredMicros * ts / 1e6, step.durationMillis() * ts / 1000);
    }
}
