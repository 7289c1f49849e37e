package io.tokensiege.coordinator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.common.json.Json;
import io.tokensiege.common.metric.Histograms;
import io.tokensiege.common.metric.Metric;
import io.tokensiege.coordinator.report.RunComparison;
import io.tokensiege.coordinator.report.RunDirectory;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tokensiege report RUN_DIR}: each step's merged histogram, rebuilt from the run's .hlog interval
 * logs (every worker, every interval, added exactly) and printed in HdrHistogram's own percentile
 * distribution layout; then per-worker shares, the side-by-side table and failures. With
 * {@code --compare OTHER_RUN}, another run against this one instead ({@link RunComparison}).
 */
@Command(name = "report", mixinStandardHelpOptions = true, description = "Show a finished run: merged histograms, shares, the table, failures; or compare two runs.")
public final class ReportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RUN_DIR", description = "A run directory (runs/<timestamp>-<plan>).")
    Path runDir;

    @Option(names = "--metric", defaultValue = "ttft", description = "Metric to show: ttft, ttft_intended, ttfa, ttfb, e2e, tpot, itl, decode_rate, output_tokens (default: ${DEFAULT-VALUE}).")
    String metric;

    @Option(names = "--step", description = "Only steps whose id or label contains this text.")
    String step;

    @Option(names = "--hgrm", paramLabel = "DIR", description = "Also write each distribution as an .hgrm file (for HdrHistogram's plotter).")
    Path hgrm;

    @Option(names = "--compare", paramLabel = "OTHER_RUN", description = "Compare OTHER_RUN (B) against RUN_DIR (A), step by step, with the server settings that differ.")
    Path compare;

    @Override
    public Integer call() throws IOException {
        Path runJson = runDir.resolve("run.json");
        if (!isRun(runDir) || (compare != null && !isRun(compare))) return ExitCodes.INVALID_INPUT;
        if (compare != null) {
            System.out.print(RunComparison.render(Json.MAPPER.readTree(runJson.toFile()), Json.MAPPER.readTree(compare.resolve("run.json").toFile())));
            return ExitCodes.OK;
        }
        Metric m;
        try {
            m = Metric.byKey(metric);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return ExitCodes.INVALID_INPUT;
        }
        JsonNode run = Json.MAPPER.readTree(runJson.toFile());
        PrintStream out = System.out;
        out.println("run " + run.path("run_id").asText() + " (" + run.path("status").asText() + "), plan " + run.path("plan").asText());
        if (hgrm != null) Files.createDirectories(hgrm);
        for (JsonNode s : run.path("steps")) {
            String id = s.path("step_id").asText();
            String label = s.path("label").asText();
            if (step != null && !id.contains(step) && !label.contains(step)) continue;
            Path log = hlogOf(s);
            Histogram merged = log == null ? null : merge(log, m.key());
            out.println();
            out.println("== " + label + "  [" + id + "]  workers " + s.path("worker_shares") + (s.path("partial").asBoolean() ? "  PARTIAL: " + s.path("partial_reason").asText() : ""));
            if (merged == null || merged.getTotalCount() == 0) {
                out.println("   (no " + m.key() + " values recorded)");
                continue;
            }
            double timeScale = s.path("time_scale").asDouble(1);
            double ratio = m.isDuration() ? 1000.0 / timeScale : (m == Metric.DECODE_RATE_MILLITOK_S ? 1000.0 * timeScale : 1.0);
            String unit = m.isDuration() ? "ms" : m == Metric.DECODE_RATE_MILLITOK_S ? "tok/s" : "tokens";
            out.println("   " + m.key() + " in " + unit + (timeScale != 1 ? " of simulated time (measured x" + timeScale + ")" : "") + ": " + m.definition());
            merged.outputPercentileDistribution(out, 5, ratio);
            if (hgrm != null) {
                try (PrintStream f = new PrintStream(Files.newOutputStream(hgrm.resolve(id + "." + m.key() + ".hgrm")), true, StandardCharsets.UTF_8)) {
                    merged.outputPercentileDistribution(f, 5, ratio);
                }
            }
        }
        Path summary = runDir.resolve("summary.md");
        if (Files.exists(summary) && step == null) {
            out.println();
            out.print(Files.readString(summary));
        }
        return ExitCodes.OK;
    }

    private static boolean isRun(Path dir) {
        if (Files.exists(dir.resolve("run.json"))) return true;
        System.err.println(dir + " is not a run directory (no run.json); runs are under the --data folder, e.g. runs/20261128-131955-smoke");
        return false;
    }

    private Path hlogOf(JsonNode s) {
        Path file = RunDirectory.hlogPath(runDir, s.path("target").asText(), s.path("scenario").asText(), s.path("kind").asText(),
                s.path("concurrency").asInt(), s.at("/open/requested_rate").asDouble(), s.path("repeat").asInt(1));
        return Files.isRegularFile(file) ? file : null;
    }

    /** Adds every interval of one metric, from every worker. */
    static Histogram merge(Path hlog, String metric) throws IOException {
        Histogram merged = Histograms.create();
        HistogramLogReader reader = new HistogramLogReader(hlog.toFile());
        for (EncodableHistogram e = reader.nextIntervalHistogram(); e != null; e = reader.nextIntervalHistogram()) {
            if (e.getTag() != null && e.getTag().startsWith(metric + "/") && e instanceof Histogram h) merged.add(h);
        }
        return merged;
    }
}
