package io.tokensiege.deploy;

import io.tokensiege.common.plan.Plan;
import io.tokensiege.common.plan.PlanException;
import io.tokensiege.common.plan.PlanReader;
import io.tokensiege.coordinator.cli.ExitCodes;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tokensiege quick}: one real server, a concurrency sweep, no plan file. Builds the plan as YAML
 * (so it is validated like any other and saved as plan.yaml) and runs it locally.
 */
@Command(name = "quick", mixinStandardHelpOptions = true, description = "Sweep one OpenAI-compatible server without writing a plan.")
public final class QuickCommand implements Callable<Integer> {
    @Option(names = "--url", required = true, description = "The server's OpenAI base URL, e.g. http://localhost:11434/v1")
    String url;

    @Option(names = "--model", required = true, description = "Model name as the server knows it.")
    String model;

    @Option(names = "--api-key-env", paramLabel = "NAME", description = "Environment variable holding the API key (never the key itself).")
    String apiKeyEnv;

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

    @Option(names = "--workers", defaultValue = "1", description = "In-process workers (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--data", defaultValue = "runs", description = "Where the run directory is written (default: ${DEFAULT-VALUE}).")
    Path data;

    @Override
    public Integer call() throws Exception {
        Plan plan;
        try {
            plan = PlanReader.parse(yaml(), "quick (command line)");
        } catch (PlanException e) {
            System.err.println(e.getMessage());
            return ExitCodes.INVALID_INPUT;
        }
        return RunCommand.exitCode(LocalRun.execute(plan, workers, data, System.out, null));
    }

    String yaml() {
        if (concurrency == null) concurrency = findKnee ? List.of(1, 2, 4, 8, 16, 32, 64, 128, 256) : List.of(1, 4, 8, 16);
        return "name: quick\n"
                + "targets:\n"
                + "  - name: target\n"
                + "    url: \"" + url.replace("\"", "") + "\"\n"
                + "    model: \"" + model.replace("\"", "") + "\"\n"
                + (apiKeyEnv == null ? "" : "    api_key_env: " + apiKeyEnv + "\n")
                + "defaults: { temperature: 0, warmup: 2, max_tokens: " + maxTokens + " }\n"
                + "scenarios:\n"
                + "  - name: concurrency\n"
                + "    prompt: { tokens: " + promptTokens + ", unique: true }\n"
                + "    load: { concurrency: [" + concurrency.stream().map(String::valueOf).collect(Collectors.joining(", ")) + "], duration: " + duration
                + (findKnee ? ", until_collapse: true" : "") + " }\n"
                + "slo: { ttft_p50: " + sloTtft + ", decode_p50_tok_s: " + sloDecode + ", error_rate: 0.01 }\n";
    }
}
