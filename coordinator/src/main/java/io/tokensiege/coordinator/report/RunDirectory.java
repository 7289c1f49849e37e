package io.tokensiege.coordinator.report;

import io.tokensiege.common.analysis.RunVerdict;
import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.json.Json;
import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.plan.Plan;
import io.tokensiege.common.plan.Target;
import io.tokensiege.common.protocol.IntervalSnapshot;
import io.tokensiege.common.protocol.StepFinished;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.common.protocol.Version;
import io.tokensiege.coordinator.event.Failure;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code runs/<timestamp>-<plan>/}: plan.yaml, run.json, hlog/, requests.jsonl.gz, results.csv,
 * summary.md, report.html, histograms/ (see {@link StepHistograms}) and failures.jsonl (docs/design.md §7). Everything is written as each step ends, so a crash
 * loses at most the step in flight.
 *
 * <p>A failed write (a full disk) is never silent: it is logged and handed to the {@link #onWriteFailure listener} (the run
 * records it as a failure, which the client shows and which makes the exit code 4), and the run goes on with what it holds in
 * memory. From then on the bulky files (hlog intervals, request records) are no longer written, and a small space reserve
 * ({@value DiskWrites#RESERVE_BYTES} bytes, set aside when the run began) is given back, so that run.json and failures.jsonl can
 * still say what happened ({@link DiskWrites}). Each step's hlog is {@link StepHlogs}'.
 */
public final class RunDirectory {
    private static final Logger log = LoggerFactory.getLogger(RunDirectory.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final Path dir;
    private final String runId;
    private final Map<String, Object> provenance;
    private final List<StepResult> results = new ArrayList<>();

    private final DiskWrites disk;
    private final StepHlogs hlogs;
    private Plan plan;
    private RunVerdict verdict;
    private final Map<String, Object> servers = new LinkedHashMap<>();
    private final Map<String, Map<String, Double>> serverMetrics = new LinkedHashMap<>();
    private Map<String, List<String>> serverNotes = Map.of();
    private long startedEpochMillis;
    private final RunCharts charts;
    private int stepsPlanned;

    private RunDirectory(Path dir, String runId, Map<String, Object> provenance) {
        this.dir = dir;
        this.runId = runId;
        this.provenance = provenance;
        this.charts = new RunCharts();
        this.disk = new DiskWrites(dir);
        this.hlogs = new StepHlogs(dir, disk);
    }

    /** Creates {@code root/<UTC timestamp>-<plan name>}; {@code provenance} lands in run.json as is. */
    public static RunDirectory create(Path root, String planName, Map<String, Object> provenance) throws IOException {
        String id = STAMP.format(Instant.now()) + "-" + planName;
        Path dir = root.resolve(id);
        for (int n = 2; Files.exists(dir); n++) dir = root.resolve(id + "-" + n);
        Files.createDirectories(dir);
        return new RunDirectory(dir, dir.getFileName().toString(), provenance);
    }

    /** Told of each write that failed (once per file and reason), on the thread that wrote; the message names file and cause. */
    public void onWriteFailure(Consumer<String> listener) {
        disk.onFailure(listener);
    }

    public Path path() {
        return dir;
    }

    public String runId() {
        return runId;
    }

    public void begin(Plan plan, List<StepSpec> steps) {
        this.plan = plan;
        this.startedEpochMillis = System.currentTimeMillis();
        hlogs.runStarted(startedEpochMillis);
        this.stepsPlanned = (int) steps.stream().filter(s -> s.kind() != StepKind.WARMUP).count();
        write("plan.yaml", "# Plan as submitted (plans never hold secrets: api_key_env names a variable).\n" + plan.source());
        writeRunJson(List.of(), "running");
        write("report.html", HtmlReport.render(plan, results, List.of(), RunVerdict.of(plan, results), facts("running"), charts.byStep()));
    }

    /** What a target exposed about itself (see ServerProvenance), stored in run.json under "servers". */
    public void recordServer(String target, Map<String, Object> exposed) {
        servers.put(target, exposed);
        writeRunJson(List.of(), "running");
    }

    /** The server's own Prometheus counters over one step (deltas; gauges at its end), stored in run.json under "server_metrics". */
    public void recordServerMetrics(String stepId, Map<String, Double> delta) {
        serverMetrics.put(stepId, delta);
    }

    public void writeInterval(StepSpec step, IntervalSnapshot s, long stepStartEpochMillis) {
        if (!disk.bulkStopped()) hlogs.write(step, s);
    }

    /**
     * {@code hlog/<target>/<scenario>/<level>[-r<repeat>].hlog}: the level is {@code n<sessions>} for agent sessions, {@code c<streams>} for a closed
     * step, {@code rate<req/s>} for an open one (a rate sweep has one file per rate), the kind otherwise.
     * The one place that names them: {@code report} reads them back through it.
     */
    public static Path hlogPath(Path runDir, String target, String scenario, String kind, int concurrency, double rate, int repeat) {
        String level = switch (kind) {
            case "CLOSED" -> "c" + concurrency;
            case "SESSIONS" -> "n" + concurrency;
            case "OPEN" -> "rate" + StepSpec.rateLabel(rate);
            default -> kind.toLowerCase(java.util.Locale.ROOT);
        };
        return runDir.resolve("hlog").resolve(target).resolve(scenario).resolve(level + (repeat > 1 ? "-r" + repeat : "") + ".hlog");
    }

    public void writeStep(StepSpec step, StepResult result, Collection<StepFinished> shares, List<Failure> failures) {
        hlogs.close(step.stepId());
        if (step.kind() != StepKind.WARMUP) {
            results.add(result);
            charts.stepEnded(step, shares, hlogs.pathOf(step));
        }
        appendRequests(shares);
        writeRunJson(failures, "running"); // first: with the disk nearly full, the one file that says what happened
        if (disk.bulkStopped()) return;
        write("results.csv", ResultsCsv.render(results));
        RunVerdict sofar = RunVerdict.of(plan, results);
        write("summary.md", SummaryTable.markdown(plan, results, failures, sofar));
        write("report.html", HtmlReport.render(plan, results, failures, sofar, facts("running"), charts.byStep()));
        writeHistograms(step);
    }

    /** histograms/<step id>.json, after the files that say what happened: it is the one the report can do without. */
    private void writeHistograms(StepSpec step) {
        StepCharts c = charts.byStep().get(step.stepId());
        if (c == null) return; // a warm-up
        Path file = StepHistograms.path(dir, step.stepId());
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            disk.error(disk.relative(file.getParent()), e);
            return;
        }
        write(disk.relative(file), c.histograms().json());
    }

    private void appendRequests(Collection<StepFinished> shares) {
        if (disk.bulkStopped()) return;
        // One gzip member per step: a crash leaves every earlier step readable (zcat reads concatenated members).
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve("requests.jsonl.gz"),
                StandardOpenOption.CREATE, StandardOpenOption.APPEND))) {
            for (StepFinished f : shares) {
                for (RequestRecord r : f.records()) out.write((Json.write(r) + "\n").getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            disk.error("requests.jsonl.gz", e);
        }
    }

    public void appendFailure(Failure f) {
        disk.append("failures.jsonl", Json.write(f) + "\n");
    }

    /** The run is over: {@code status} is run.json's last word ({@code finished}, {@code failed} or {@code aborted}). */
    public void finish(List<StepResult> all, List<Failure> failures, RunVerdict verdict, Map<String, List<String>> notes, String status) {
        hlogs.closeAll();
        this.verdict = verdict;
        this.serverNotes = notes;
        writeRunJson(failures, status);
        write("summary.md", SummaryTable.markdown(plan, results, failures, verdict, notes));
        write("report.html", HtmlReport.render(plan, results, failures, verdict, facts(status), charts.byStep()));
        disk.releaseReserve();
        if (!disk.errors().isEmpty()) log.error("some results could not be written ({}); what was written is in {}", disk.errors(), dir);
    }

    private RunFacts facts(String status) {
        return new RunFacts(runId, status, startedEpochMillis, Version.current(), RunFacts.workers(provenance.get("workers"), results), servers,
                serverNotes, stepsPlanned);
    }

    public List<String> writeErrors() {
        return disk.errors();
    }

    private void writeRunJson(List<Failure> failures, String status) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("run_id", runId);
        root.put("status", status);
        root.put("plan", plan.name());
        root.put("started_epoch_millis", startedEpochMillis);
        root.put("tokensiege_version", Version.current());
        root.put("java", System.getProperty("java.version"));
        root.put("units", "durations in ms and rates per second of each target's own time; for a SIMULATED target at speed S "
                + "the measured wall time is multiplied by S (hlog and requests.jsonl.gz keep measured wall time)");
        List<Map<String, Object>> targets = new ArrayList<>();
        for (Target t : plan.targets()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", t.name());
            m.put("url", t.url());
            m.put("model", t.model());
            m.put("simulated", t.isSimulated());
            if (t.isSimulated()) m.put("time_scale", t.timeScale());
            if (t.apiKeyEnv() != null) m.put("api_key_env", t.apiKeyEnv() + " (value never stored)");
            if (t.apiKeyHeader() != null) m.put("api_key_header", t.apiKeyHeader());
            targets.add(m);
        }
        root.put("targets", targets);
        root.putAll(provenance);
        root.put("servers", servers);
        if (!serverNotes.isEmpty()) root.put("server_notes", serverNotes);
        if (!serverMetrics.isEmpty()) root.put("server_metrics", serverMetrics);
        root.put("steps", results);
        if (verdict != null) {
            root.put("collapse", verdict.collapses());
            root.put("slo_verdicts", verdict.sloVerdicts());
        }
        root.put("flags", results.stream().flatMap(r -> r.checks().flags().stream()).toList());
        root.put("failures", failures);
        if (!disk.errors().isEmpty()) root.put("write_errors", disk.errors());
        write("run.json", Json.writePretty(root));
    }

    private void write(String name, String content) {
        disk.write(name, content);
    }
}
