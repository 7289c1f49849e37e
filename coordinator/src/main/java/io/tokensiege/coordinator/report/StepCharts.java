package io.tokensiege.coordinator.report;

/** What report.html draws for one step beyond its StepResult: its merged histograms (see {@link StepHistograms}) and its requests in send order. */
record StepCharts(StepHistograms histograms, SendOrder sendOrder) {}
