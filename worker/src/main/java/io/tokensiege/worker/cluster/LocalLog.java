package io.tokensiege.worker.cluster;

import io.tokensiege.common.metric.Histograms;
import io.tokensiege.common.protocol.IntervalSnapshot;
import io.tokensiege.common.protocol.StepFinished;
import io.tokensiege.common.protocol.ToCoordinator;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.HdrHistogram.HistogramLogWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's own copy of what it measured: every interval snapshot goes to
 * {@code DATA/<run>/<step>.hlog} as it is taken, so a lost coordinator (or network) loses nothing the
 * worker recorded. Readable by HdrHistogram's tools; tags are metric names.
 */
final class LocalLog {
    private static final Logger log = LoggerFactory.getLogger(LocalLog.class);
    private final Path dataDir;
    private final Map<String, HistogramLogWriter> writers = new ConcurrentHashMap<>();

    LocalLog(Path dataDir) {
        this.dataDir = dataDir;
    }

    synchronized void record(ToCoordinator m) {
        try {
            if (m instanceof IntervalSnapshot s) {
                HistogramLogWriter w = writers.computeIfAbsent(s.runId() + "/" + s.stepId(), k -> open(s));
                if (w == null) return;
                s.histograms().forEach((metric, bytes) -> {
                    var h = Histograms.decode(bytes);
                    h.setTag(metric);
                    w.outputIntervalHistogram(s.intervalStartEpochMillis() / 1000.0, s.intervalEndEpochMillis() / 1000.0, h, 1.0);
                });
            } else if (m instanceof StepFinished f) {
                HistogramLogWriter w = writers.remove(f.runId() + "/" + f.stepId());
                if (w != null) w.close();
            }
        } catch (RuntimeException e) {
            log.warn("could not write the local log under {}: {}", dataDir, e.getMessage());
        }
    }

    private HistogramLogWriter open(IntervalSnapshot s) {
        try {
            Path file = dataDir.resolve(s.runId()).resolve(s.stepId() + ".hlog");
            Files.createDirectories(file.getParent());
            HistogramLogWriter w = new HistogramLogWriter(new PrintStream(Files.newOutputStream(file), true, StandardCharsets.UTF_8));
            w.outputComment("tokensiege worker " + s.workerId() + ", step " + s.stepId() + ": local copy of its interval snapshots (microseconds)");
            w.outputLogFormatVersion();
            w.outputLegend();
            return w;
        } catch (IOException e) {
            log.warn("cannot create the local log under {}: {}", dataDir, e.getMessage());
            return null;
        }
    }
}
