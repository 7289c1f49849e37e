package io.tokensiege.coordinator.report;

import io.tokensiege.common.metric.Histograms;
import io.tokensiege.common.metric.HlogFile;
import io.tokensiege.common.protocol.IntervalSnapshot;
import io.tokensiege.common.protocol.StepSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.HistogramLogWriter;

/**
 * The hlog file of each step in progress ({@link RunDirectory#hlogPath names them}): opened at the step's first interval,
 * every worker's interval histograms appended as they come (tagged metric/worker), closed when the step ends. Time stamps
 * count from the run's start.
 */
final class StepHlogs {
    private final Path dir;
    private final DiskWrites disk;
    private final Map<String, HlogFile> open = new HashMap<>();
    private long runStartEpochMillis;

    StepHlogs(Path dir, DiskWrites disk) {
        this.dir = dir;
        this.disk = disk;
    }

    void runStarted(long epochMillis) {
        this.runStartEpochMillis = epochMillis;
    }

    void write(StepSpec step, IntervalSnapshot s) {
        HlogFile hlog = null;
        try {
            hlog = open.computeIfAbsent(step.stepId(), k -> create(step));
            if (hlog == null) return;
            HistogramLogWriter w = hlog.writer();
            double start = (s.intervalStartEpochMillis() - runStartEpochMillis) / 1000.0;
            double end = (s.intervalEndEpochMillis() - runStartEpochMillis) / 1000.0;
            s.histograms().forEach((metric, bytes) -> {
                var h = Histograms.decode(bytes);
                h.setStartTimeStamp(s.intervalStartEpochMillis());
                h.setEndTimeStamp(s.intervalEndEpochMillis());
                h.setTag(metric + "/" + s.workerId());
                w.outputIntervalHistogram(start, end, h, 1.0);
            });
            if (hlog.failure() != null) disk.error(disk.relative(hlog.path()), hlog.failure());
        } catch (RuntimeException e) {
            disk.error(hlog == null ? "hlog of " + step.stepId() : disk.relative(hlog.path()), e);
        }
    }

    private HlogFile create(StepSpec step) {
        Path file = pathOf(step);
        try {
            HlogFile hlog = HlogFile.create(file);
            HistogramLogWriter w = hlog.writer();
            w.outputComment("tokensiege " + step.label() + (step.target().isSimulated() ? " (SIMULATED target, time x" + step.target().timeScale() + ")" : ""));
            w.outputComment("values in microseconds of measured wall time (decode_rate: milli-tokens/s); tag = metric/worker");
            w.outputLogFormatVersion();
            w.outputStartTime(runStartEpochMillis);
            w.setBaseTime(runStartEpochMillis);
            w.outputLegend();
            return hlog;
        } catch (IOException e) {
            disk.error(disk.relative(file), e);
            return null;
        }
    }

    Path pathOf(StepSpec step) {
        return RunDirectory.hlogPath(dir, step.target().name(), step.scenario(), step.kind().name(), step.concurrency(),
                step.openLoop() == null ? 0 : step.openLoop().ratePerSecond(), step.repeat());
    }

    /** The step ended: its file is complete. */
    void close(String stepId) {
        close(open.remove(stepId));
    }

    /** The run ended: every file still open is closed (the step an abort cut, say). */
    void closeAll() {
        List.copyOf(open.values()).forEach(this::close);
        open.clear();
    }

    private void close(HlogFile hlog) {
        if (hlog == null) return;
        hlog.close();
        if (hlog.failure() != null) disk.error(disk.relative(hlog.path()), hlog.failure());
    }
}
