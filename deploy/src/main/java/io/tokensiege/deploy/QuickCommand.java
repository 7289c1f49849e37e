package io.tokensiege.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokensiege.common.json.Json;
import io.tokensiege.common.plan.ApiKeyEnvRule;
import io.tokensiege.common.plan.Plan;
import io.tokensiege.common.plan.PlanError;
import io.tokensiege.common.plan.PlanException;
import io.tokensiege.common.plan.PlanReader;
import io.tokensiege.common.plan.PlanTree;
import io.tokensiege.coordinator.cli.AllowKeyEnvOption;
import io.tokensiege.coordinator.cli.ExitCodes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tokensiege quick}: one real server, a concurrency sweep, no plan file. Builds the plan as data
 * from its options, never as YAML text (so no value can be misquoted: {@code --model 'C:\m'} stays
 * {@code C:\m}), validates it with the rules of a plan file, and runs it locally. An error names the
 * option that gave the value, e.g. {@code --url: url must not carry user-info ...}.
 */
@Command(name = "quick", mixinStandardHelpOptions = true, description = "Sweep one OpenAI-compatible server without writing a plan.")
public final class QuickCommand implements Callable<Integer> {
    static final String SOURCE = "quick (command line)";
    /** The plan field each option fills, so a validation error names the option rather than a plan line nobody wrote. */
    private static final Map<String, String> OPTION_BY_PATH = Map.ofEntries(
            Map.entry("targets[0].url", "--url"), Map.entry("targets[0].model", "--model"), Map.entry("targets[0].api_key_env", "--api-key-env"),
            Map.entry("targets[0].api_key_header", "--api-key-header"),
            Map.entry("targets[0].headers", "--header"), Map.entry("targets[0].extra_body", "--extra-body"),
            Map.entry("defaults.max_tokens", "--max-tokens"), Map.entry("scenarios[0].prompt.tokens", "--prompt-tokens"),
            Map.entry("scenarios[0].load.concurrency", "--concurrency"), Map.entry("scenarios[0].load.duration", "--duration"),
            Map.entry("slo.ttft_p50", "--slo-ttft"), Map.entry("slo.decode_p50_tok_s", "--slo-decode"),
            Map.entry("defaults.timeouts.first_token", "--timeout-first-token"), Map.entry("defaults.timeouts.total", "--timeout-total"));
    /** Strict JSON for --extra-body: a key given twice or text after the object is a mistake, not something to guess about. */
    private static final ObjectReader STRICT_JSON = Json.MAPPER.reader()
            .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    @Option(names = "--url", required = true, description = "The server's OpenAI base URL, e.g. http://localhost:11434/v1")
    String url;

    @Option(names = "--model", required = true, description = "Model name as the server knows it.")
    String model;

    @Option(names = "--api-key-env", paramLabel = "NAME", description = "Environment variable holding the API key (never the key itself).")
    String apiKeyEnv;

    @Option(names = "--api-key-header", paramLabel = "NAME",
            description = "Send the key as it is in this header (e.g. api-key, x-api-key) instead of Authorization: Bearer.")
    String apiKeyHeader;

    @Option(names = "--header", paramLabel = "'NAME: VALUE'",
            description = "An extra HTTP header on every request (repeatable). No secrets: give the key with --api-key-env.")
    List<String> headers = new ArrayList<>();

    @Option(names = "--extra-body", paramLabel = "JSON",
            description = "A JSON object merged into every request body, like a plan target's extra_body, e.g. '{\"ignore_eos\": true}'.")
    String extraBody;

    @Option(names = "--concurrency", split = ",", description = "Concurrency levels (default: 1,4,8,16; with --find-knee 1,2,4 ... 256).")
    List<Integer> concurrency;

    @Option(names = "--find-knee", description = "Climb a ladder of levels and stop once the server collapses (TTFT p50 <= --slo-ttft, decode >= --slo-decode).")
    boolean findKnee;

    @Option(names = "--slo-ttft", defaultValue = "1s", description = "TTFT p50 the SLO allows (default: ${DEFAULT-VALUE}).")
    String sloTtft;

    @Option(names = "--slo-decode", defaultValue = "20", description = "Per-request decode p50 the SLO needs, tok/s (default: ${DEFAULT-VALUE}).")
    double sloDecode;

    @Option(names = "--duration", defaultValue = "30s", description = "Length of each level (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--max-tokens", defaultValue = "200", description = "Tokens to generate per request (default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = "--prompt-tokens", defaultValue = "64", description = "Prompt length (default: ${DEFAULT-VALUE}).")
    int promptTokens;

    @Option(names = "--timeout-first-token", paramLabel = "DURATION",
            description = "Give up on a request with no token after this long (default: the plans' 3m, for a cold model's first load).")
    String timeoutFirstToken;

    @Option(names = "--timeout-total", paramLabel = "DURATION", description = "Give up on a request that lasts longer than this (default: the plans' 15m).")
    String timeoutTotal;

    @Option(names = "--workers", defaultValue = "1", description = "In-process workers (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--data", defaultValue = "runs", description = "Where the run directory is written (default: ${DEFAULT-VALUE}).")
    Path data;

    @Mixin
    AllowKeyEnvOption allowKeyEnv = new AllowKeyEnvOption();

    @Override
    public Integer call() throws Exception {
        if (workers < 1) {
            System.err.println("--workers must be at least 1");
            return ExitCodes.INVALID_INPUT;
        }
        Plan plan;
        try {
            plan = plan();
        } catch (PlanException e) {
            System.err.println(e.getMessage());
            return ExitCodes.INVALID_INPUT;
        }
        return RunCommand.exitCode(LocalRun.execute(plan, workers, data, System.out, null, true));
    }

    /** The plan these options describe, validated like a plan file; every mistake in the options is reported at once. */
    Plan plan() throws PlanException {
        List<PlanError> errors = new ArrayList<>();
        ObjectNode root = Json.MAPPER.createObjectNode().put("name", "quick");
        ObjectNode target = root.putArray("targets").addObject().put("name", "target").put("url", url).put("model", model);
        if (apiKeyEnv != null) target.put("api_key_env", apiKeyEnv);
        if (apiKeyHeader != null) target.put("api_key_header", apiKeyHeader);
        if (!headers.isEmpty()) target.set("headers", headers(errors));
        if (extraBody != null) {
            JsonNode extra = extraBody(errors);
            if (extra != null) target.set("extra_body", extra);
        }
        ObjectNode defaults = root.putObject("defaults").put("temperature", 0).put("warmup", 2).put("max_tokens", maxTokens);
        if (timeoutFirstToken != null || timeoutTotal != null) {
            ObjectNode timeouts = defaults.putObject("timeouts");
            if (timeoutFirstToken != null) timeouts.put("first_token", timeoutFirstToken);
            if (timeoutTotal != null) timeouts.put("total", timeoutTotal);
        }
        ObjectNode scenario = root.putArray("scenarios").addObject().put("name", "concurrency");
        scenario.putObject("prompt").put("tokens", promptTokens).put("unique", true);
        ObjectNode load = scenario.putObject("load");
        ArrayNode levels = load.putArray("concurrency");
        (concurrency != null ? concurrency : findKnee ? List.of(1, 2, 4, 8, 16, 32, 64, 128, 256) : List.of(1, 4, 8, 16)).forEach(levels::add);
        load.put("duration", duration);
        if (findKnee) load.put("until_collapse", true);
        root.putObject("slo").put("ttft_p50", sloTtft).put("decode_p50_tok_s", sloDecode).put("error_rate", 0.01);
        try {
            Plan plan = PlanReader.read(new PlanTree(root, SOURCE, OPTION_BY_PATH), allowKeyEnv.planOptions());
            if (errors.isEmpty()) return plan;
        } catch (PlanException e) {
            errors.addAll(e.errors());
        }
        throw new PlanException(errors);
    }

    /** {@code --header 'Name: value'} as a mapping; the plan rules then check each name and value. */
    private ObjectNode headers(List<PlanError> errors) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        for (String header : headers) {
            int colon = header.indexOf(':');
            if (colon < 0) {
                String shown = ApiKeyEnvRule.holdsCredentials(header) ? "what looks like a credential (not shown)" : "'" + header + "'";
                errors.add(optionError("--header", "expected 'Name: value', not " + shown, "e.g. --header 'X-Request-Source: tokensiege'"));
            } else if (node.has(header.substring(0, colon))) {
                errors.add(optionError("--header", "header '" + header.substring(0, colon) + "' is given twice", "give each header once"));
            } else {
                node.put(header.substring(0, colon), header.substring(colon + 1).strip());
            }
        }
        return node;
    }

    /** {@code --extra-body} as a JSON object; the plan rules then check its fields like a target's extra_body. */
    private JsonNode extraBody(List<PlanError> errors) {
        JsonNode node;
        try {
            node = STRICT_JSON.readTree(extraBody);
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            errors.add(optionError("--extra-body", "not valid JSON" + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr())
                    + ": " + e.getOriginalMessage(), "a JSON object, e.g. --extra-body '{\"ignore_eos\": true}'"));
            return null;
        }
        if (node == null || !node.isObject()) {
            String given = node == null || node.isMissingNode() ? "nothing" : node.getNodeType().name().toLowerCase(Locale.ROOT);
            errors.add(optionError("--extra-body", "must be a JSON object ({...}), not " + given,
                    "e.g. --extra-body '{\"ignore_eos\": true}'"));
            return null;
        }
        return node;
    }

    private static PlanError optionError(String option, String message, String hint) {
        return new PlanError(SOURCE, 0, 0, "", message, hint, option);
    }
}
