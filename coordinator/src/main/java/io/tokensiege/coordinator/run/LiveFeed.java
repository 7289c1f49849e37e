package io.tokensiege.coordinator.run;

import io.tokensiege.common.protocol.IntervalSnapshot;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.coordinator.event.RunListener;
import io.tokensiege.coordinator.report.RunDirectory;

/** Where a running step's snapshots go as they arrive: to the run directory, and to the listener both raw and merged live. */
final class LiveFeed {
    private final RunDirectory directory;
    private final RunListener listener;
    private final StepSpec step;
    private final long startAt;
    private final LiveWindow window;

    LiveFeed(RunDirectory directory, RunListener listener, StepSpec step, long startAt) {
        this.directory = directory;
        this.listener = listener;
        this.step = step;
        this.startAt = startAt;
        this.window = new LiveWindow(step, startAt);
    }

    void add(IntervalSnapshot s) {
        directory.writeInterval(step, s, startAt);
        listener.onSnapshot(step, s);
        listener.onInterval(step, window.add(s));
    }
}
