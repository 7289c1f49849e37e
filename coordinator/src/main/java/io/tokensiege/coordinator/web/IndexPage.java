package io.tokensiege.coordinator.web;

import static io.tokensiege.coordinator.report.Html.escape;

import java.util.List;
import java.util.Map;

/**
 * The coordinator's page: the run in progress (its step, live figures and charts over time), the sweep so far, the
 * workers, a form that starts a run from a pasted or uploaded plan and a button that stops it, and every run of the
 * data folder with links to its files. Rendered here with what is known now; {@code live.js} then fetches
 * {@code /ui/state.json} every second and redraws without a reload. The forms work without the script.
 */
final class IndexPage {
    private IndexPage() {}

    /**
     * What the start form shows again after a refused plan: the text as sent, and why it was refused.
     *
     * @param errors the plan's errors, each {@code file:line:column (field.path): message}
     */
    record StartForm(String planText, String fileName, String error, List<String> errors) {
        static final StartForm EMPTY = new StartForm("", "", null, List.of());
    }

    static String render(String csrf, RunControl.ActiveRun run, List<Map<String, Object>> workers, List<RunList.Row> runs, StartForm form) {
        StringBuilder sb = WebUi.head("tokensiege", true);
        runSection(sb, csrf, run);
        sweepSection(sb);
        workersSection(sb, workers);
        startSection(sb, csrf, form);
        runsSection(sb, withActive(runs, run));
        return sb.append("</main></body></html>\n").toString();
    }

    private static void runSection(StringBuilder sb, String csrf, RunControl.ActiveRun run) {
        boolean running = run != null && run.running();
        sb.append("<section id=\"run\" class=\"card\"><div class=\"row\"><h2>Run <span id=\"run-id\">").append(run == null ? "—" : escape(run.id))
                .append("</span></h2><span id=\"run-status\" class=\"badge ").append(run == null ? "idle" : run.status()).append("\">")
                .append(run == null ? "no run yet" : escape(run.status())).append("</span>")
                .append("<form id=\"stop-form\" method=\"post\" action=\"/ui/runs/stop\"><input type=\"hidden\" name=\"csrf\" value=\"").append(escape(csrf))
                .append("\"/><button id=\"stop\" type=\"submit\" class=\"danger\"").append(running ? "" : " disabled=\"disabled\"")
                .append(">Stop the run</button></form></div>\n")
                .append("<p class=\"step\">Step <b id=\"step-label\">—</b> <span id=\"step-number\"></span> · target <b id=\"step-target\">—</b>")
                .append(" · level <b id=\"step-level\">—</b> · <span id=\"step-elapsed\">—</span></p>\n<div class=\"figures\">");
        figure(sb, "live-ttft-p50", "TTFT p50");
        figure(sb, "live-ttft-p95", "TTFT p95");
        figure(sb, "live-tok-s", "output tok/s");
        figure(sb, "live-in-flight", "in flight");
        figure(sb, "live-awaiting", "before first token");
        figure(sb, "live-done", "done / errors");
        sb.append("</div><p class=\"note\">Rolling figures over the last 5 s, merged over the workers (TTFT of the first tokens that arrived in it; "
                + "tokens of every stream), in the target's own time. “—”: nothing yet.</p>\n<div class=\"charts\">");
        chart(sb, "chart-ttft", "ttft", "TTFT over the step (ms)");
        chart(sb, "chart-toks", "tok_s", "Output tok/s over the step");
        chart(sb, "chart-inflight", "in_flight", "Requests in flight");
        sb.append("</div><ul id=\"failures\" class=\"error\"></ul><pre id=\"progress\">");
        if (run != null) {
            List<String> lines = run.progressLines();
            sb.append(escape(String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()))));
        }
        sb.append("</pre></section>\n");
    }

    private static void sweepSection(StringBuilder sb) {
        sb.append("<section id=\"sweep\" class=\"card\"><h2>The sweep so far</h2><p class=\"note\" id=\"sweep-empty\">No level has finished yet: "
                + "each finished level adds a point, one line per target and scenario.</p><div class=\"charts\">");
        chart(sb, "chart-sweep-toks", "sweep_tok_s", "Aggregate tok/s against load");
        chart(sb, "chart-sweep-ttft-p50", "sweep_ttft_p50", "TTFT p50 against load (ms)");
        chart(sb, "chart-sweep-ttft-p95", "sweep_ttft_p95", "TTFT p95 against load (ms)");
        chart(sb, "chart-sweep-decode", "sweep_decode_p50", "Per-request decode p50 against load (tok/s)");
        sb.append("</div></section>\n");
    }

    private static void workersSection(StringBuilder sb, List<Map<String, Object>> workers) {
        sb.append("<section id=\"workers\" class=\"card\"><h2>Workers</h2><table id=\"workers-table\"><thead><tr><th>worker</th><th>host</th>"
                + "<th>cores</th><th>state</th><th>clock offset</th><th>event-loop delay p90</th><th>CPU</th><th>GC</th><th>client-bound</th></tr></thead><tbody>");
        if (workers.isEmpty()) sb.append("<tr><td colspan=\"9\">No worker has joined: start one with <code>tokensiege worker --join HOST</code>.</td></tr>");
        for (Map<String, Object> w : workers) {
            sb.append("<tr><td>").append(escape(String.valueOf(w.get("id")))).append("</td><td>").append(escape(String.valueOf(w.get("host"))))
                    .append("</td><td>").append(escape(String.valueOf(w.get("cores")))).append("</td><td>")
                    .append(Boolean.TRUE.equals(w.get("alive")) ? "connected" : "lost").append("</td><td colspan=\"5\">…</td></tr>");
        }
        sb.append("</tbody></table><p class=\"note\">Load figures are the worker's own during the last finished step "
                + "<span id=\"load-step\"></span>; client-bound means its delays may look like the server's.</p></section>\n");
    }

    private static void startSection(StringBuilder sb, String csrf, StartForm form) {
        sb.append("<section id=\"start\" class=\"card\"><h2>Start a run</h2>");
        if (form.error() != null) {
            sb.append("<div id=\"plan-errors\" class=\"error\"><p>").append(escape(form.error())).append("</p>");
            if (!form.errors().isEmpty()) {
                sb.append("<ul>");
                for (String e : form.errors()) sb.append("<li><code>").append(escape(e)).append("</code></li>");
                sb.append("</ul>");
            }
            sb.append("</div>");
        }
        sb.append("<form id=\"start-form\" method=\"post\" action=\"/ui/runs\"><input type=\"hidden\" name=\"csrf\" value=\"").append(escape(csrf))
                .append("\"/><input type=\"hidden\" id=\"plan-name\" name=\"file\" value=\"").append(escape(form.fileName())).append("\"/>")
                .append("<p>Paste a plan, or load one: <input type=\"file\" id=\"plan-file\" accept=\".yaml,.yml,text/yaml,application/yaml\"/></p>")
                .append("<textarea id=\"plan-text\" name=\"plan\" rows=\"14\" spellcheck=\"false\" placeholder=\"name: my-plan&#10;targets:&#10;  - { name: my-server, url: &quot;http://host:8000/v1&quot;, model: my-model }&#10;...\">")
                .append(escape(form.planText())).append("</textarea><p><button id=\"start-run\" type=\"submit\">Check and start</button> ")
                .append("<span class=\"note\">Checked with the same rules as <code>tokensiege plans --check</code>; nothing runs unless it passes.</span></p>")
                .append("</form></section>\n");
    }

    /** The run just started has no run.json for a moment: it is listed anyway, its files to come. */
    private static List<RunList.Row> withActive(List<RunList.Row> runs, RunControl.ActiveRun run) {
        if (run == null || !run.running()) return runs;
        String name = run.dir.getFileName().toString();
        if (runs.stream().anyMatch(r -> r.name().equals(name))) return runs;
        List<RunList.Row> all = new java.util.ArrayList<>();
        all.add(new RunList.Row(name, run.plan, "running", "now", "running", List.of(), List.of(), List.of()));
        all.addAll(runs);
        return all;
    }

    private static void runsSection(StringBuilder sb, List<RunList.Row> runs) {
        sb.append("<section id=\"runs\" class=\"card\"><h2>Runs</h2>");
        if (runs.isEmpty()) {
            sb.append("<p>No runs yet in this coordinator's data folder.</p></section>\n");
            return;
        }
        sb.append("<table id=\"runs-table\"><thead><tr><th>run</th><th>started</th><th>duration</th><th>targets</th><th>status and verdict</th><th>files</th></tr>"
                + "</thead><tbody>\n");
        for (RunList.Row r : runs) {
            sb.append("<tr><td>").append(escape(r.name())).append("<br/><span class=\"muted\">").append(escape(r.plan())).append("</span></td><td>")
                    .append(escape(r.started())).append("</td><td>").append(escape(r.duration())).append("</td><td>")
                    .append(escape(String.join(", ", r.targets()))).append("</td><td><span class=\"badge ").append(escape(r.status())).append("\">")
                    .append(escape(r.status())).append("</span>");
            for (String v : r.verdict()) sb.append("<br/>").append(escape(v));
            sb.append("</td><td class=\"files\">");
            for (String f : r.files()) if (!f.contains("/")) link(sb, r.name(), f, f);
            perStep(sb, r, "hlog/", "interval logs (hlog)");
            perStep(sb, r, "histograms/", "merged step histograms (json)");
            if (r.files().isEmpty()) sb.append("none yet");
            sb.append("</td></tr>\n");
        }
        sb.append("</tbody></table></section>\n");
    }

    /** A folder with a file per step, folded: they would crowd out the rest. */
    private static void perStep(StringBuilder sb, RunList.Row r, String folder, String what) {
        List<String> files = r.files().stream().filter(f -> f.startsWith(folder)).toList();
        if (files.isEmpty()) return;
        sb.append("<details><summary>").append(files.size()).append(' ').append(what).append("</summary>");
        for (String f : files) link(sb, r.name(), f, f.substring(folder.length()));
        sb.append("</details>");
    }

    private static void link(StringBuilder sb, String run, String file, String text) {
        sb.append("<a href=\"/runs/").append(escape(run)).append('/').append(escape(file)).append("\">").append(escape(text)).append("</a> ");
    }

    private static void figure(StringBuilder sb, String id, String label) {
        sb.append("<div class=\"figure\"><span class=\"k\">").append(label).append("</span><span id=\"").append(id).append("\" class=\"v\">—</span></div>");
    }

    private static void chart(StringBuilder sb, String id, String key, String title) {
        sb.append("<figure><figcaption>").append(escape(title)).append("</figcaption><div id=\"").append(id).append("\" class=\"chart\" data-chart=\"")
                .append(key).append("\" data-points=\"0\"></div></figure>");
    }
}
