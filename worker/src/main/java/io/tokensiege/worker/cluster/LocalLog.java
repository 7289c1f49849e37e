package io.tokensiege.worker.cluster;

import io.tokensiege.common.metric.Histograms;
import io.tokensiege.common.metric.HlogFile;
import io.tokensiege.common.protocol.IntervalSnapshot;
import io.tokensiege.common.protocol.StepFinished;
import io.tokensiege.common.protocol.ToCoordinator;
import io.tokensiege.common.protocol.WorkerFailed;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.HdrHistogram.HistogramLogWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's own copy of what it measured: every interval snapshot goes to
 * {@code DATA/<run>/<step>.hlog} as it is taken, so a lost coordinator (or network) loses nothing the
 * worker recorded. Readable by HdrHistogram's tools; tags are metric names. A write that fails (a full
 * disk) is logged and returned as a {@link WorkerFailed} for the coordinator, once per file: the copy is
 * then incomplete, and the run's owner must hear of it.
 */
final class LocalLog {
    private static final Logger log = LoggerFactory.getLogger(LocalLog.class);
    private final Path dataDir;
    private final Map<String, HlogFile> files = new ConcurrentHashMap<>();
    private final Set<String> reported = new HashSet<>();

    LocalLog(Path dataDir) {
        this.dataDir = dataDir;
    }

    /** Writes what {@code m} carries; a failed write comes back as the message that tells the coordinator. */
    synchronized Optional<WorkerFailed> record(ToCoordinator m) {
        String key = m.runId() + "/" + m.stepId();
        HlogFile file = null;
        try {
            if (m instanceof IntervalSnapshot s) {
                if (reported.contains(key)) return Optional.empty(); // its copy is already known to be incomplete
                file = files.computeIfAbsent(key, k -> open(s));
                HistogramLogWriter w = file.writer();
                s.histograms().forEach((metric, bytes) -> {
                    var h = Histograms.decode(bytes);
                    h.setTag(metric);
                    w.outputIntervalHistogram(s.intervalStartEpochMillis() / 1000.0, s.intervalEndEpochMillis() / 1000.0, h, 1.0);
                });
                return failed(m, file.path(), file.failure());
            } else if (m instanceof StepFinished) {
                file = files.remove(key);
                if (file == null) return Optional.empty();
                file.close();
                return failed(m, file.path(), file.failure());
            }
        } catch (OpenFailed e) {
            return failed(m, e.path, e.cause);
        } catch (RuntimeException e) {
            return failed(m, file == null ? dataDir : file.path(), new IOException(e.getMessage(), e));
        }
        return Optional.empty();
    }

    private Optional<WorkerFailed> failed(ToCoordinator m, Path path, IOException e) {
        if (e == null || !reported.add(m.runId() + "/" + m.stepId())) return Optional.empty();
        String message = "cannot write its local copy " + path + " (" + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                + "): that copy is incomplete; the measurements still went to the coordinator";
        log.error("{}", message);
        return Optional.of(new WorkerFailed(m.runId(), m.stepId(), m.workerId(), WorkerFailed.WRITE_FAILED, message, false));
    }

    private HlogFile open(IntervalSnapshot s) {
        Path path = dataDir.resolve(s.runId()).resolve(s.stepId() + ".hlog");
        try {
            HlogFile file = HlogFile.create(path);
            HistogramLogWriter w = file.writer();
            w.outputComment("tokensiege worker " + s.workerId() + ", step " + s.stepId() + ": local copy of its interval snapshots (microseconds)");
            w.outputLogFormatVersion();
            w.outputLegend();
            return file;
        } catch (IOException e) {
            throw new OpenFailed(path, e);
        }
    }

    /** Carries a failed open out of computeIfAbsent. */
    private static final class OpenFailed extends RuntimeException {
        final Path path;
        final IOException cause;

        OpenFailed(Path path, IOException cause) {
            super(cause.getMessage(), cause, false, false);
            this.path = path;
            this.cause = cause;
        }
    }
}
