package io.tokensiege.coordinator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.common.json.Json;
import io.tokensiege.common.metric.Metric;
import io.tokensiege.coordinator.report.CompareHtml;
import io.tokensiege.coordinator.report.MetricTable;
import io.tokensiege.coordinator.report.PercentileSummary;
import io.tokensiege.coordinator.report.RunComparison;
import io.tokensiege.coordinator.report.RunDirectory;
import io.tokensiege.coordinator.report.StepHistograms;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tokensiege report RUN_DIR}: one row per step of the metric's merged histogram (n, p50, p90, p99, p99.9, max, with
 * units), from the step totals the run kept ({@link StepHistograms}); {@code --full} prints HdrHistogram's own percentile
 * distribution instead, {@code --hgrm} writes it to files for HdrHistogram's plotter. Then the side-by-side table. With
 * {@code --compare OTHER_RUN}, that run against this one ({@link RunComparison}), and compare.html beside it.
 */
@Command(name = "report", mixinStandardHelpOptions = true, description = "Show a finished run: merged histograms per step, the table, failures; or compare two runs.")
public final class ReportCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RUN_DIR", description = "A run directory (runs/<timestamp>-<plan>).")
    Path runDir;

    @Option(names = "--metric", defaultValue = "ttft", description = "Metric to show: ttft, ttft_intended, ttfa, ttfb, connect, e2e, tpot, itl, decode_rate, output_tokens (default: ${DEFAULT-VALUE}).")
    String metric;

    @Option(names = "--step", description = "Only steps whose id or label contains this text.")
    String step;

    @Option(names = "--full", description = "Print each step's whole percentile distribution (HdrHistogram's layout) instead of one row per step.")
    boolean full;

    @Option(names = "--hgrm", paramLabel = "DIR", description = "Also write each step's distribution as an .hgrm file (for HdrHistogram's plotter).")
    Path hgrm;

    @Option(names = "--compare", paramLabel = "OTHER_RUN", description = "Compare OTHER_RUN (B) against RUN_DIR (A), step by step, with the server settings that differ; writes compare.html into OTHER_RUN.")
    Path compare;

    @Override
    public Integer call() {
        if (!isRun(runDir) || (compare != null && !isRun(compare))) return ExitCodes.INVALID_INPUT;
        Metric m;
        try {
            m = Metric.byKey(metric);
        } catch (IllegalArgumentException e) {
            System.err.println("--metric: " + e.getMessage());
            return ExitCodes.INVALID_INPUT;
        }
        try {
            return compare != null ? compare() : show(m);
        } catch (IOException e) {
            System.err.println("cannot read or write the run's files: " + e.getMessage());
            return ExitCodes.INVALID_INPUT;
        }
    }

    private int compare() throws IOException {
        JsonNode a = Json.MAPPER.readTree(runDir.resolve("run.json").toFile());
        JsonNode b = Json.MAPPER.readTree(compare.resolve("run.json").toFile());
        String text = RunComparison.render(a, b);
        System.out.print(text);
        Path html = compare.resolve("compare.html");
        Files.writeString(html, CompareHtml.render(a, b, text), StandardCharsets.UTF_8);
        System.out.println("\nwrote " + html + " (both runs' curves overlaid; opens offline)");
        return ExitCodes.OK;
    }

    private int show(Metric m) throws IOException {
        JsonNode run = Json.MAPPER.readTree(runDir.resolve("run.json").toFile());
        PrintStream out = System.out;
        out.println("run " + run.path("run_id").asText() + " (" + run.path("status").asText() + "), plan " + run.path("plan").asText());
        String unit = StepHistograms.displayUnit(m);
        boolean simulated = false;
        List<MetricTable.Row> rows = new ArrayList<>();
        List<Path> written = new ArrayList<>();
        if (hgrm != null) Files.createDirectories(hgrm);
        String source = null;
        for (JsonNode s : run.path("steps")) {
            String id = s.path("step_id").asText();
            String label = s.path("label").asText();
            if (step != null && !id.contains(step) && !label.contains(step)) continue;
            double timeScale = s.path("time_scale").asDouble(1);
            simulated |= timeScale != 1;
            Optional<StepHistograms> h = StepHistograms.read(runDir, id, timeScale, hlogOf(s));
            if (h.isPresent()) source = h.get().source();
            Histogram merged = h.map(x -> x.total(m)).orElse(null);
            double factor = StepHistograms.displayFactor(m, timeScale);
            String note = s.path("partial").asBoolean() ? "(PARTIAL)" : null;
            rows.add(new MetricTable.Row(label, merged == null ? null : PercentileSummary.of(merged, factor), note));
            if (full) printDistribution(out, s, merged, m, factor, unit);
            if (hgrm != null && merged != null && merged.getTotalCount() > 0) {
                Path file = hgrm.resolve(id + "." + m.key() + ".hgrm");
                try (PrintStream f = new PrintStream(Files.newOutputStream(file), true, StandardCharsets.UTF_8)) {
                    merged.outputPercentileDistribution(f, 5, 1 / factor);
                }
                written.add(file);
            }
        }
        if (!full) {
            out.println();
            out.println(m.key() + " in " + unit + (simulated ? " (simulated targets: in simulated time)" : "") + ": " + shownDefinition(m)
                    + (source == null ? "" : "; from " + source));
            out.print(MetricTable.render(rows, unit));
        }
        if (hgrm != null) {
            out.println();
            out.println("wrote " + written.size() + " .hgrm file" + (written.size() == 1 ? "" : "s") + " to " + hgrm.toAbsolutePath() + ": " + m.key()
                    + ", values in " + unit + (simulated ? " of each target's own time (simulated time for a simulated target)" : "")
                    + ", in HdrHistogram's percentile distribution layout (for its plotter)");
        }
        Path summary = runDir.resolve("summary.md");
        if (Files.exists(summary) && step == null) {
            out.println();
            out.print(Files.readString(summary));
        }
        return ExitCodes.OK;
    }

    private static void printDistribution(PrintStream out, JsonNode s, Histogram merged, Metric m, double factor, String unit) {
        out.println();
        out.println("== " + s.path("label").asText() + "  [" + s.path("step_id").asText() + "]  workers " + s.path("worker_shares")
                + (s.path("partial").asBoolean() ? "  PARTIAL: " + s.path("partial_reason").asText() : ""));
        if (merged == null || merged.getTotalCount() == 0) {
            out.println("   (no " + m.key() + " values recorded)");
            return;
        }
        double timeScale = s.path("time_scale").asDouble(1);
        out.println("   " + m.key() + " in " + unit + (timeScale != 1 ? " of simulated time (measured x" + timeScale + ")" : "") + ": " + m.definition());
        merged.outputPercentileDistribution(out, 5, 1 / factor);
    }

    /** The metric's definition as shown: the decode rate is recorded x1000 in the histograms, and shown in tok/s. */
    private static String shownDefinition(Metric m) {
        return m == Metric.DECODE_RATE_MILLITOK_S ? m.definition().replace(", x1000", "") : m.definition();
    }

    private static boolean isRun(Path dir) {
        if (Files.exists(dir.resolve("run.json"))) return true;
        System.err.println(dir + " is not a run directory (no run.json); runs are under the --data folder, e.g. runs/20261128-131955-smoke");
        return false;
    }

    private Path hlogOf(JsonNode s) {
        return RunDirectory.hlogPath(runDir, s.path("target").asText(), s.path("scenario").asText(), s.path("kind").asText(),
                s.path("concurrency").asInt(), s.at("/open/requested_rate").asDouble(), s.path("repeat").asInt(1));
    }
}
