package io.tokensiege.deploy;

import io.tokensiege.common.plan.Plan;
import io.tokensiege.common.plan.PlanException;
import io.tokensiege.common.plan.PlanReader;
import io.tokensiege.coordinator.cli.AllowKeyEnvOption;
import io.tokensiege.coordinator.cli.ExitCodes;
import io.tokensiege.coordinator.run.RunOutcome;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tokensiege run PLAN}: runs a plan file or a built-in plan. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run a load plan (a YAML file or a built-in plan name).")
public final class RunCommand implements Callable<Integer> {
    @Parameters(paramLabel = "PLAN", description = "Plan file, or a built-in plan: agent-serving, smoke (or builtin:NAME).")
    String planRef;

    @Option(names = "--local", description = "Start a coordinator and in-process workers for this run only.")
    boolean local;

    @Option(names = "--workers", defaultValue = "1", description = "In-process workers with --local (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--data", defaultValue = "runs", description = "Where run directories are written (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--coordinator", paramLabel = "URL", description = "Submit to a running coordinator's REST API, e.g. http://coord.lan:8080.")
    String coordinator;

    @Option(names = "--token-file", description = "File holding the cluster token, for a coordinator off loopback (else TOKENSIEGE_TOKEN).")
    Path tokenFile;

    @Mixin
    AllowKeyEnvOption allowKeyEnv = new AllowKeyEnvOption();

    @Override
    public Integer call() throws Exception {
        Plan plan;
        try {
            plan = PlanReader.load(planRef, allowKeyEnv.planOptions());
        } catch (PlanException e) {
            System.err.println(e.getMessage());
            return ExitCodes.INVALID_INPUT;
        }
        // the text that was checked, not a second read of the file; the coordinator checks it again under its own --allow-key-env
        if (coordinator != null) return RemoteRun.submit(coordinator, plan.source(), planRef, ClusterToken.resolve(tokenFile), System.out);
        if (!local) {
            System.err.println("say where to run: --local (coordinator and workers in this process) or --coordinator URL");
            return ExitCodes.INVALID_INPUT;
        }
        if (workers < 1) {
            System.err.println("--workers must be at least 1");
            return ExitCodes.INVALID_INPUT;
        }
        return exitCode(LocalRun.execute(plan, workers, data, System.out, null, true));
    }

    static int exitCode(RunOutcome outcome) {
        return ExitCodes.of(outcome);
    }
}
