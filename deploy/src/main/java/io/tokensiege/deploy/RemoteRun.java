package io.tokensiege.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.common.json.Json;
import io.tokensiege.coordinator.cli.ExitCodes;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** {@code run PLAN --coordinator URL}: submits the plan and follows the run, printing its progress. */
final class RemoteRun {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private RemoteRun() {}

    static int submit(String coordinator, String planYaml, String planName, ClusterToken token, PrintStream out) throws Exception {
        String base = coordinator.replaceAll("/+$", "");
        HttpResponse<String> created = HTTP.send(request(base + "/api/runs?file=" + URLEncoder.encode(planName, StandardCharsets.UTF_8), token)
                .header("content-type", "application/yaml").POST(HttpRequest.BodyPublishers.ofString(planYaml)).build(), HttpResponse.BodyHandlers.ofString());
        JsonNode body = Json.MAPPER.readTree(created.body());
        if (created.statusCode() == 400) {
            System.err.println(body.path("error").asText());
            body.path("errors").forEach(e -> System.err.println("  " + e.asText()));
            return ExitCodes.INVALID_INPUT;
        }
        if (created.statusCode() != 202) {
            System.err.println("the coordinator refused the run (HTTP " + created.statusCode() + "): " + body.path("error").asText());
            return created.statusCode() == 401 ? ExitCodes.INVALID_INPUT : ExitCodes.RUN_FAILED;
        }
        String id = body.get("run_id").asText();
        out.println("run " + id + " started on " + base + "; results in " + body.path("directory").asText() + " on the coordinator");
        int printed = 0;
        while (true) { // bounded by the coordinator's own step deadlines; stops when it reports an end
            Thread.sleep(1000);
            JsonNode s = Json.MAPPER.readTree(HTTP.send(request(base + "/api/runs/" + id, token).GET().build(), HttpResponse.BodyHandlers.ofString()).body());
            JsonNode lines = s.path("progress");
            for (int i = printed; i < lines.size(); i++) out.println(lines.get(i).asText());
            printed = lines.size();
            JsonNode live = s.path("live");
            if (!live.isMissingNode()) {
                out.println("    live " + live.path("step").asText() + "  " + live.path("line").asText());
            }
            String status = s.path("status").asText();
            if (!status.equals("running")) {
                if (s.has("summary")) out.print(s.get("summary").asText());
                if (s.has("error")) System.err.println("run failed: " + s.get("error").asText());
                return s.path("exit_code").asInt(ExitCodes.RUN_FAILED);
            }
        }
    }

    private static HttpRequest.Builder request(String url, ClusterToken token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (token.given()) b.header("authorization", "Bearer " + token.value());
        return b;
    }
}
