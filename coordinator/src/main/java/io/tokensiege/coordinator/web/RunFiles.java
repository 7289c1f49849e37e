package io.tokensiege.coordinator.web;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The files of a run directory that the web serves, each with its content type: the result files by name, the
 * interval logs under {@code hlog/} and the merged step totals under {@code histograms/}. A path is served only when every segment is a plain name and the file's real
 * path (symlinks resolved) lies inside the data folder's: a link out of it is never followed.
 */
final class RunFiles {
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final int MAX_HLOG_DEPTH = 3; // hlog/<target>/<scenario>/<level>.hlog
    /** Folders of per-step files: their file name ending and content type. */
    private static final Map<String, String[]> FOLDERS = Map.of("hlog", new String[] {".hlog", "text/plain; charset=utf-8"},
            "histograms", new String[] {".json", "application/json"});
    private static final Map<String, String> RESULT_TYPES = new LinkedHashMap<>();

    static {
        RESULT_TYPES.put("report.html", "text/html; charset=utf-8");
        RESULT_TYPES.put("compare.html", "text/html; charset=utf-8");
        RESULT_TYPES.put("summary.md", "text/markdown; charset=utf-8");
        RESULT_TYPES.put("results.csv", "text/csv; charset=utf-8");
        RESULT_TYPES.put("run.json", "application/json");
        RESULT_TYPES.put("plan.yaml", "application/yaml; charset=utf-8");
        RESULT_TYPES.put("failures.jsonl", "application/x-ndjson; charset=utf-8");
        RESULT_TYPES.put("requests.jsonl.gz", "application/gzip");
    }

    /** A file to send: its real path and content type. */
    record Served(Path file, String contentType) {}

    private RunFiles() {}

    /** {@code rest} is what follows {@code /runs/}: "NAME/FILE" or "NAME/hlog/...". Null when it is not a file of a run. */
    static Served resolve(Path dataRoot, String rest) {
        String[] parts = rest.split("/", -1);
        if (parts.length < 2) return null;
        for (String p : parts) if (!NAME.matcher(p).matches() || p.contains("..")) return null;
        String inRun = rest.substring(parts[0].length() + 1);
        String type = RESULT_TYPES.get(inRun);
        String[] folder = FOLDERS.get(parts[1]);
        if (type == null && folder != null && parts.length >= 3 && parts.length <= 2 + MAX_HLOG_DEPTH && inRun.endsWith(folder[0])) type = folder[1];
        if (type == null) return null;
        Path file = realInside(dataRoot, dataRoot.toAbsolutePath().normalize().resolve(parts[0]).resolve(inRun));
        return file == null || !Files.isRegularFile(file) ? null : new Served(file, type);
    }

    /** The files run {@code name} has now, as paths relative to the run ("report.html", "hlog/t/s/c4.hlog"), results first. */
    static List<String> list(Path dataRoot, String name) {
        List<String> files = new ArrayList<>();
        if (!NAME.matcher(name).matches()) return files;
        for (String f : RESULT_TYPES.keySet()) if (resolve(dataRoot, name + "/" + f) != null) files.add(f);
        for (String folder : List.of("hlog", "histograms")) {
            Path top = dataRoot.resolve(name).resolve(folder);
            if (realInside(dataRoot, top) == null) continue;
            try (Stream<Path> s = Files.walk(top, MAX_HLOG_DEPTH)) {
                s.map(p -> dataRoot.resolve(name).relativize(p).toString().replace('\\', '/')).filter(rel -> resolve(dataRoot, name + "/" + rel) != null)
                        .sorted().forEach(files::add);
            } catch (IOException | RuntimeException e) {
                // unreadable: the files listed so far still are
            }
        }
        return files;
    }

    /** {@code path}'s real path when it exists inside the data folder's real path (a file, or the hlog folder); else null. */
    static Path realInside(Path dataRoot, Path path) {
        try {
            Path real = path.toRealPath();
            return real.startsWith(dataRoot.toRealPath()) ? real : null;
        } catch (IOException | SecurityException e) {
            return null; // missing, or unreadable: not served
        }
    }
}
