package io.tokensiege.coordinator.web;

import static io.tokensiege.coordinator.report.Html.escape;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.common.json.Json;
import io.tokensiege.coordinator.report.Html;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The coordinator's pages, rendered on the server (no script): the run in progress with its live
 * merged figures (the page refreshes itself every 2 s while a run is going), and the runs under the
 * data folder, each linking to its self-contained {@code report.html}.
 */
final class WebUi {
    static final String CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'";
    private static final Pattern RUN_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final int MAX_RUNS = 100;
    private static final String STYLE = "td,th{text-align:left}.live{background:#eef6ff;border:1px solid #9cc3ef;padding:.6em 1em;border-radius:4px}";

    private WebUi() {}

    /** The run in progress, as far as the page needs it. */
    record Active(String id, String status, List<String> progress, Map<String, Object> live) {}

    static String index(Path dataRoot, Active active) {
        StringBuilder sb = page("tokensiege", active != null && active.status().equals("running"));
        if (active != null) {
            sb.append("<div class=\"live\"><h2>Run ").append(escape(active.id())).append(": ").append(escape(active.status())).append("</h2>");
            if (active.live() != null) {
                sb.append("<table>");
                active.live().forEach((k, v) -> sb.append("<tr><th>").append(escape(k)).append("</th><td>").append(escape(String.valueOf(v))).append("</td></tr>"));
                sb.append("</table>");
            }
            List<String> last = active.progress().subList(Math.max(0, active.progress().size() - 12), active.progress().size());
            if (!last.isEmpty()) sb.append("<pre>").append(escape(String.join("\n", last))).append("</pre>");
            sb.append("</div>\n");
        }
        sb.append("<h2>Runs</h2>\n");
        List<Path> runs = runs(dataRoot);
        if (runs.isEmpty()) {
            sb.append("<p>No runs yet in ").append(escape(dataRoot.toAbsolutePath().toString()))
                    .append(". Submit a plan with <code>tokensiege run PLAN --coordinator URL</code>.</p>");
        } else {
            sb.append("<table><tr><th>run</th><th>plan</th><th>status</th><th>report</th></tr>\n");
            for (Path run : runs) {
                JsonNode json = readRunJson(run);
                String name = run.getFileName().toString();
                sb.append("<tr><td>").append(escape(name)).append("</td><td>").append(escape(json.path("plan").asText("?")))
                        .append("</td><td>").append(escape(json.path("status").asText("?"))).append("</td><td>");
                if (report(dataRoot, name) != null) {
                    sb.append("<a href=\"/runs/").append(escape(name)).append("/report.html\">report</a>");
                } else {
                    sb.append("none yet");
                }
                sb.append("</td></tr>\n");
            }
            sb.append("</table>\n");
        }
        return sb.append("</body></html>\n").toString();
    }

    static String login(String problem) {
        StringBuilder sb = page("tokensiege: sign in", false);
        if (problem != null) sb.append("<p><strong>").append(escape(problem)).append("</strong></p>");
        return sb.append("<p>This coordinator is reachable from the network, so its pages need the cluster token.</p>")
                .append("<form method=\"post\" action=\"/login\"><input type=\"password\" name=\"token\" autocomplete=\"current-password\"/> ")
                .append("<button type=\"submit\">Sign in</button></form></body></html>\n").toString();
    }

    /**
     * The report of run directory {@code name} as a real path, or null when the name is not a plain
     * directory name, the run has no report yet, or the file really lies outside the data folder (a
     * symlink is never followed out of it).
     */
    static Path report(Path dataRoot, String name) {
        if (!RUN_NAME.matcher(name).matches()) return null;
        return realInside(dataRoot, dataRoot.toAbsolutePath().normalize().resolve(name).resolve("report.html"));
    }

    /** {@code file}'s real path when it is a regular file whose real path is inside the data folder's; else null. */
    private static Path realInside(Path dataRoot, Path file) {
        try {
            Path real = file.toRealPath();
            return real.startsWith(dataRoot.toRealPath()) && Files.isRegularFile(real) ? real : null;
        } catch (IOException | SecurityException e) {
            return null; // missing, or unreadable: not served
        }
    }

    private static StringBuilder page(String title, boolean refresh) {
        return Html.page(title, STYLE, refresh ? "<meta http-equiv=\"refresh\" content=\"2\"/>" : ""); // live figures without a script
    }

    private static List<Path> runs(Path dataRoot) {
        if (!Files.isDirectory(dataRoot)) return List.of();
        try (Stream<Path> s = Files.list(dataRoot)) {
            return s.filter(p -> RUN_NAME.matcher(p.getFileName().toString()).matches() && realInside(dataRoot, p.resolve("run.json")) != null)
                    .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed()).limit(MAX_RUNS).toList();
        } catch (IOException e) {
            return new ArrayList<>();
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
