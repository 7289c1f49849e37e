package io.tokensiege.coordinator.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.common.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The runs of the data folder, newest first, as the page lists them: when, how long, which targets, the verdict, and
 * every file. Read from each run's {@code run.json}; a run whose {@code run.json} is a link out of the folder is left out.
 */
final class RunList {
    private static final int MAX_RUNS = 100;
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

    /**
     * @param duration how long it ran until its last write ("running" while it still does)
     * @param verdict  per target, what the SLO verdict says ("MEETS the SLO", "FAILS the SLO: ...", "no SLO in the plan")
     */
    record Row(String name, String plan, String status, String started, String duration, List<String> targets, List<String> verdict, List<String> files) {}

    private RunList() {}

    static List<Row> rows(Path dataRoot) {
        List<Row> rows = new ArrayList<>();
        for (Path run : runs(dataRoot)) {
            JsonNode json = readRunJson(run);
            String name = run.getFileName().toString();
            String status = json.path("status").asText("?");
            long started = json.path("started_epoch_millis").asLong(0);
            List<String> targets = new ArrayList<>();
            json.path("targets").forEach(t -> targets.add(t.path("name").asText() + (t.path("simulated").asBoolean() ? " (sim)" : "")));
            List<String> verdict = new ArrayList<>();
            json.path("slo_verdicts").properties().forEach(e -> verdict.add(e.getKey() + ": " + e.getValue().asText()));
            rows.add(new Row(name, json.path("plan").asText("?"), status, started > 0 ? WHEN.format(Instant.ofEpochMilli(started)) : "?",
                    duration(run, status, started), targets, verdict, RunFiles.list(dataRoot, name)));
        }
        return rows;
    }

    /** From the start to run.json's last write, which is the run's end once it has ended. */
    private static String duration(Path run, String status, long startedMillis) {
        if (status.equals("running")) return "running";
        try {
            long seconds = Math.max(0, (Files.getLastModifiedTime(run.resolve("run.json")).toMillis() - startedMillis) / 1000);
            return seconds >= 3600 ? String.format(Locale.ROOT, "%d h %02d min", seconds / 3600, seconds % 3600 / 60)
                    : seconds >= 60 ? String.format(Locale.ROOT, "%d min %02d s", seconds / 60, seconds % 60) : seconds + " s";
        } catch (IOException e) {
            return "?";
        }
    }

    private static List<Path> runs(Path dataRoot) {
        if (!Files.isDirectory(dataRoot)) return List.of();
        try (Stream<Path> s = Files.list(dataRoot)) {
            return s.filter(p -> RunFiles.NAME.matcher(p.getFileName().toString()).matches() && RunFiles.resolve(dataRoot, p.getFileName() + "/run.json") != null)
                    .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed()).limit(MAX_RUNS).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static JsonNode readRunJson(Path run) {
        try {
            return Json.MAPPER.readTree(run.resolve("run.json").toFile());
        } catch (IOException e) {
            return Json.MAPPER.createObjectNode(); // half-written by a run in progress: shown with '?'
        }
    }
}
