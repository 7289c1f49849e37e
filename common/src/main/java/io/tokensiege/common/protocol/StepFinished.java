package io.tokensiege.common.protocol;

import io.tokensiege.common.metric.RequestRecord;
import java.util.List;

/** A worker's share of a step is over: its totals and every request record. */
public record StepFinished(String runId, String stepId, String workerId, StepTotals totals, List<RequestRecord> records,
                           boolean aborted) implements ToCoordinator {}
