package io.tokensiege.coordinator.report;

import io.tokensiege.common.protocol.StepFinished;
import io.tokensiege.common.protocol.StepSpec;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Gathers, as each step ends, what report.html draws beyond the step results, for every later rewrite of the report: the
 * step's merged histograms (which RunDirectory also writes to its {@code histograms/} file) and its send order.
 */
final class RunCharts {
    private final Map<String, StepCharts> byStep = new LinkedHashMap<>();

    /** Keeps what the step's charts need; {@code hlog} is its closed interval log (its seconds), or absent when none was written. */
    void stepEnded(StepSpec step, Collection<StepFinished> shares, Path hlog) {
        double ts = step.target().timeScale();
        byStep.put(step.stepId(), new StepCharts(StepHistograms.of(step.stepId(), ts, shares, hlog), SendOrder.of(shares, ts)));
    }


    Map<String, StepCharts> byStep() {
        return byStep;
    }
}
