package io.tokensiege.coordinator.report;

import io.tokensiege.common.protocol.StepFinished;
import io.tokensiege.common.protocol.StepSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Gathers, as each step ends, what report.html draws beyond the step results: writes the step's {@code histograms/} file and
 * keeps it, with the step's send order, for every later rewrite of the report.
 */
final class RunCharts {
    private final Path runDir;
    private final Map<String, StepCharts> byStep = new LinkedHashMap<>();

    RunCharts(Path runDir) {
        this.runDir = runDir;
    }

    /** {@code hlog} is the step's closed interval log (its seconds), or null when none was written. */
    void stepEnded(StepSpec step, Collection<StepFinished> shares, Path hlog) throws IOException {
        double ts = step.target().timeScale();
        StepHistograms histograms = StepHistograms.of(step.stepId(), ts, shares, hlog);
        byStep.put(step.stepId(), new StepCharts(histograms, SendOrder.of(shares, ts)));
        histograms.write(runDir);
    }

    Map<String, StepCharts> byStep() {
        return byStep;
    }
}
