package io.tokensiege.worker;

import io.tokensiege.common.protocol.StepFinished;
import io.tokensiege.common.protocol.StepTotals;

/**
 * The measurement window an aborted share really covered. A share cut at second 10 of a 60 s window measured
 * 10 s: its tokens divided by 60 s would understate the aggregate six times over (two streams decoding 35 tok/s
 * each would show 12 tok/s). The tokens, completions and decoding time counted stop at the abort anyway: its
 * requests are cancelled there.
 */
final class CoveredWindow {
    private CoveredWindow() {}

    /** {@code f} with its window ending at {@code abortedAtEpochMicros} when that is before the planned end. */
    static StepFinished clip(StepFinished f, long abortedAtEpochMicros) {
        StepTotals t = f.totals();
        long covered = Math.max(0, Math.min(t.windowMicros(), abortedAtEpochMicros - t.windowStartEpochMicros()));
        if (covered == t.windowMicros()) return f;
        StepTotals clipped = new StepTotals(t.windowStartEpochMicros(), covered, t.tokensInWindow(), t.completedInWindow(), t.started(), t.completed(),
                t.errorsByClass(), t.cancelledAtEnd(), t.histograms(), t.clampedValues(), t.scheduledInWindow(), t.notSent(), t.startLateMicros(), t.startCoreWaitMicros(),
                t.health(), t.connections(), t.decodingMicrosInWindow());
        return new StepFinished(f.runId(), f.stepId(), f.workerId(), clipped, f.records(), f.aborted(), f.recordChunks());
    }
}
