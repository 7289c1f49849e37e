package io.tokensiege.coordinator.report;

import io.tokensiege.common.analysis.StepAnalyzer;
import io.tokensiege.common.json.Json;
import io.tokensiege.common.metric.Histograms;
import io.tokensiege.common.metric.Metric;
import io.tokensiege.common.protocol.StepFinished;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;

/**
 * The histograms a run directory keeps for each step, named, written and read here only.
 * {@code histograms/<step id>.json} holds the step's merged totals per metric (each worker's step-total histogram added
 * with {@link Histogram#add}: the very histograms the step's percentiles in run.json came from) and its TTFT second by
 * second (the hlog's interval histograms of each second, added over workers). All in HdrHistogram's compressed encoding
 * (base64), in measured microseconds (decode_rate: milli-tokens/s), written when the step ends. report.html draws from it
 * and {@code tokensiege report} prints from it; for a run written before the file existed, the hlog is read instead.
 */
public final class StepHistograms {
    private static final String FOLDER = "histograms";

    private final String stepId;
    private final double timeScale;
    private final Map<Metric, Histogram> totals;
    private final List<Second> ttftPerSecond;
    private final String source;

    /** The TTFT of the measured requests that ended in one second of the step; {@code endSeconds} in measured wall time since the step began. */
    public record Second(double endSeconds, Histogram ttft) {}

    /** The file's layout (snake_case JSON; byte arrays as base64). */
    record Stored(String stepId, double timeScale, String units, Map<String, byte[]> totals, List<StoredSecond> ttftPerSecond) {}

    record StoredSecond(double endSeconds, byte[] ttft) {}

    private StepHistograms(String stepId, double timeScale, Map<Metric, Histogram> totals, List<Second> ttftPerSecond, String source) {
        this.stepId = stepId;
        this.timeScale = timeScale;
        this.totals = totals;
        this.ttftPerSecond = ttftPerSecond;
        this.source = source;
    }

    /** A finished step: the workers' totals merged as the analysis merged them, and the step's hlog read back for its seconds. */
    static StepHistograms of(String stepId, double timeScale, Collection<StepFinished> shares, Path hlog) {
        List<StepAnalyzer.Share> merged = shares.stream().map(f -> new StepAnalyzer.Share(f.workerId(), 0, f.totals(), List.of())).toList();
        return new StepHistograms(stepId, timeScale, StepAnalyzer.merge(merged), ttftSeconds(hlog), "merged step totals");
    }

    public static Path path(Path runDir, String stepId) {
        return runDir.resolve(FOLDER).resolve(stepId + ".json");
    }

    /** The file's content (see {@link #path}). */
    String json() {
        Map<String, byte[]> encoded = new LinkedHashMap<>();
        totals.forEach((m, h) -> {
            if (h.getTotalCount() > 0) encoded.put(m.key(), Histograms.encode(h));
        });
        List<StoredSecond> seconds = ttftPerSecond.stream().map(s -> new StoredSecond(s.endSeconds(), Histograms.encode(s.ttft()))).toList();
        return Json.write(new Stored(stepId, timeScale, "measured microseconds (decode_rate: milli-tokens/s); "
                + "multiply durations by time_scale for a simulated target's own time", encoded, seconds));
    }

    /**
     * A step's histograms: its {@code histograms/} file, else (a run from before that file) rebuilt from {@code hlog}, which
     * holds the same values unless an interval reached the coordinator after the step's end. Empty when neither exists.
     */
    public static Optional<StepHistograms> read(Path runDir, String stepId, double timeScale, Path hlog) throws IOException {
        Path file = path(runDir, stepId);
        if (Files.isRegularFile(file)) {
            Stored s;
            try {
                s = Json.MAPPER.readValue(file.toFile(), Stored.class);
            } catch (IOException e) {
                throw new IOException(file + " is not a histograms file tokensiege can read (" + e.getMessage() + "); delete it to fall back to the hlog", e);
            }
            Map<Metric, Histogram> totals = emptyTotals();
            s.totals().forEach((key, bytes) -> totals.get(Metric.byKey(key)).add(Histograms.decode(bytes)));
            List<Second> seconds = s.ttftPerSecond() == null ? List.of()
                    : s.ttftPerSecond().stream().map(x -> new Second(x.endSeconds(), Histograms.decode(x.ttft()))).toList();
            return Optional.of(new StepHistograms(stepId, s.timeScale(), totals, seconds, "merged step totals"));
        }
        if (hlog == null || !Files.isRegularFile(hlog)) return Optional.empty();
        Map<Metric, Histogram> totals = emptyTotals();
        for (Interval i : intervals(hlog)) totals.get(i.metric()).add(i.histogram());
        return Optional.of(new StepHistograms(stepId, timeScale, totals, ttftSeconds(hlog), "hlog intervals (run written before histograms/)"));
    }

    public Histogram total(Metric m) {
        return totals.get(m);
    }

    public List<Second> ttftPerSecond() {
        return ttftPerSecond;
    }

    public double timeScale() {
        return timeScale;
    }

    /** Where the totals came from, for the terminal: "merged step totals" or "hlog intervals ...". */
    public String source() {
        return source;
    }

    /** Recorded value -> shown value: ms (durations) or tok/s (decode rate) of the target's own time, tokens as they are. */
    public static double displayFactor(Metric m, double timeScale) {
        if (m.isDuration()) return timeScale / 1000.0;
        return m == Metric.DECODE_RATE_MILLITOK_S ? 1.0 / 1000 / timeScale : 1.0;
    }

    public static String displayUnit(Metric m) {
        return m.isDuration() ? "ms" : m == Metric.DECODE_RATE_MILLITOK_S ? "tok/s" : "tokens";
    }

    private static Map<Metric, Histogram> emptyTotals() {
        Map<Metric, Histogram> totals = new EnumMap<>(Metric.class);
        for (Metric m : Metric.values()) totals.put(m, Histograms.create());
        return totals;
    }

    private record Interval(Metric metric, long startMillis, long endMillis, Histogram histogram) {}

    /** Every interval histogram of a known metric in the hlog, whatever worker wrote it. */
    private static List<Interval> intervals(Path hlog) throws IOException {
        List<Interval> out = new ArrayList<>();
        HistogramLogReader reader = new HistogramLogReader(hlog.toFile());
        for (EncodableHistogram e = reader.nextIntervalHistogram(); e != null; e = reader.nextIntervalHistogram()) {
            if (e.getTag() == null || !(e instanceof Histogram h)) continue;
            String key = e.getTag().contains("/") ? e.getTag().substring(0, e.getTag().indexOf('/')) : e.getTag();
            Metric m = metricOrNull(key);
            if (m != null) out.add(new Interval(m, e.getStartTimeStamp(), e.getEndTimeStamp(), h));
        }
        return out;
    }

    private static Metric metricOrNull(String key) {
        for (Metric m : Metric.values()) if (m.key().equals(key)) return m;
        return null;
    }

    /** TTFT per second of the step: intervals of every worker ending in the same second (counted from the first interval's start) added. */
    private static List<Second> ttftSeconds(Path hlog) {
        if (hlog == null || !Files.isRegularFile(hlog)) return List.of();
        List<Interval> all;
        try {
            all = intervals(hlog);
        } catch (IOException | RuntimeException e) {
            return List.of(); // the over-time chart is left out; the totals do not depend on the hlog
        }
        long start = all.stream().mapToLong(Interval::startMillis).min().orElse(0);
        TreeMap<Long, Histogram> bySecond = new TreeMap<>();
        for (Interval i : all) {
            if (i.metric() != Metric.TTFT_MICROS) continue;
            long second = Math.max(1, (long) Math.ceil((i.endMillis() - start) / 1000.0));
            bySecond.computeIfAbsent(second, k -> Histograms.create()).add(i.histogram());
        }
        List<Second> out = new ArrayList<>();
        bySecond.forEach((s, h) -> out.add(new Second(s, h)));
        return out;
    }
}
