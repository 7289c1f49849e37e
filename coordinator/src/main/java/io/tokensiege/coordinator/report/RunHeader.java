package io.tokensiege.coordinator.report;

import static io.tokensiege.coordinator.report.Html.escape;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.common.json.Json;
import io.tokensiege.common.plan.Plan;
import io.tokensiege.common.plan.Target;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The head of report.html: a PARTIAL banner while the run goes on ({@code p.partial-banner}), when and with what it ran
 * (date, tokensiege version, workers), and after the cards each target's model and what its server said about itself
 * (run.json {@code servers} and {@code server_notes}); a SIMULATED label on every simulated target: one the plan simulates,
 * or a URL target that says it is the simulator.
 */
final class RunHeader {
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    private RunHeader() {}

    /** Targets the plan simulates, and URL targets whose server answered as tokensiege's simulator. */
    static Set<String> simulated(Plan plan, Map<String, Object> servers) {
        Set<String> out = new LinkedHashSet<>();
        for (Target t : plan.targets()) {
            if (t.isSimulated() || node(servers.get(t.name())).at("/simulator_profile/simulated").asBoolean(false)) out.add(t.name());
        }
        return out;
    }

    static String banner(RunFacts facts, int stepsDone) {
        if (facts.inProgress()) {
            return "<p class=\"partial-banner\"><strong>PARTIAL: run in progress.</strong> " + stepsDone + " of " + facts.stepsPlanned()
                    + " planned steps done; this page is rewritten as each step ends. Figures and verdicts below cover only those steps.</p>\n";
        }
        if (!"finished".equals(facts.status())) {
            return "<p class=\"ended-banner\"><strong>Run " + escape(facts.status()) + "</strong> after " + stepsDone + " of " + facts.stepsPlanned()
                    + " planned steps: see Failures at the end.</p>\n";
        }
        return "";
    }

    /** When and with what the run ran, and which targets are simulated: above the cards. */
    static String line(RunFacts facts, Set<String> simulated) {
        StringBuilder sb = new StringBuilder("<div class=\"run-header\"><p>");
        if (facts.startedEpochMillis() > 0) { // a page rendered from results alone knows no run
            sb.append("Run <code>").append(escape(facts.runId())).append("</code>, started ").append(DATE.format(Instant.ofEpochMilli(facts.startedEpochMillis()))).append(" · ");
        }
        sb.append("tokensiege ").append(escape(facts.version()))
                .append(" · workers: ").append(escape(facts.workers().isEmpty() ? "none yet" : String.join(", ", facts.workers()))).append("</p>\n");
        if (!simulated.isEmpty()) {
            sb.append("<p class=\"simulated\"><strong>SIMULATED</strong> targets: ").append(escape(String.join(", ", simulated)))
                    .append(". Their numbers come from the built-in simulator, not from a real server; times are shown in simulated time.</p>\n");
        }
        return sb.append("</div>\n").toString();
    }

    /** Each target's model and what its server said about itself: below the cards. */
    static String targets(Plan plan, RunFacts facts, Set<String> simulated) {
        StringBuilder sb = new StringBuilder("<h2>The targets, and what their servers said</h2>\n<table class=\"targets\"><tr><th>target</th><th>model</th><th>what the server said about itself</th></tr>\n");
        for (Target t : plan.targets()) {
            sb.append("<tr data-target=\"").append(escape(t.name())).append("\"><td>").append(escape(t.name()));
            if (simulated.contains(t.name())) sb.append(" <span class=\"sim-badge\">SIMULATED</span>");
            sb.append("</td><td>").append(escape(t.model() == null ? "-" : t.model())).append("</td><td>");
            List<String> said = said(node(facts.servers().get(t.name())));
            said.addAll(facts.serverNotes().getOrDefault(t.name(), List.of()));
            sb.append(escape(said.isEmpty() ? "nothing yet" : String.join("; ", said)));
            Object exposed = facts.servers().get(t.name());
            if (exposed != null) {
                sb.append("<details><summary>all it exposed</summary><pre>").append(escape(Json.writePretty(exposed))).append("</pre></details>");
            }
            sb.append("</td></tr>\n");
        }
        return sb.append("</table>\n").toString();
    }

    /** The few facts a reader wants from what a server exposed: models, versions, slots, the simulator's profile (context and sizing are in the notes). */
    static List<String> said(JsonNode s) {
        List<String> out = new ArrayList<>();
        List<String> models = new ArrayList<>();
        s.at("/models/data").forEach(m -> models.add(m.path("id").asText()));
        if (!models.isEmpty()) out.add("models " + String.join(", ", models));
        if (s.at("/ollama_version/version").isTextual()) out.add("Ollama " + s.at("/ollama_version/version").asText());
        if (s.at("/vllm_version/version").isTextual()) out.add("vLLM " + s.at("/vllm_version/version").asText());
        JsonNode props = s.path("llama_cpp_props");
        if (props.isObject()) {
            out.add("llama.cpp" + (props.path("build_info").isTextual() ? " " + props.path("build_info").asText() : "")
                    + (props.path("total_slots").isNumber() ? ", " + props.path("total_slots").asInt() + " slots" : "")
                    + (props.at("/default_generation_settings/n_ctx").isNumber() ? ", n_ctx " + props.at("/default_generation_settings/n_ctx").asInt() : ""));
        }
        JsonNode profile = s.path("simulator_profile");
        if (profile.isObject()) out.add("simulator profile " + profile.path("name").asText() + ": " + profile.path("description").asText());
        List<String> hidden = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = s.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isTextual() && e.getValue().asText().startsWith("not exposed")) hidden.add(e.getKey());
        }
        if (!hidden.isEmpty()) out.add("not exposed: " + String.join(", ", hidden));
        return out;
    }

    private static JsonNode node(Object exposed) {
        return exposed == null ? Json.MAPPER.createObjectNode() : Json.MAPPER.valueToTree(exposed);
    }
}
