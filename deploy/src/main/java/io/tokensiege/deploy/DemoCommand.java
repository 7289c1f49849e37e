package io.tokensiege.deploy;

import io.tokensiege.common.plan.PlanReader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tokensiege demo}: the built-in agent-serving plan against simulated servers. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run the agent-serving plan against three SIMULATED servers (about three minutes; needs no GPU and no model).")
public final class DemoCommand implements Callable<Integer> {
    @Option(names = "--data", defaultValue = "runs", description = "Where the run directory is written (default: ${DEFAULT-VALUE}).")
    Path data;

    @Override
    public Integer call() throws Exception {
        System.out.println("tokensiege demo: the five scenarios of an M1 Max agent-serving study, against SIMULATED servers");
        System.out.println("(ollama-like, omlx-tuned and moe-35b-a3b simulator profiles at 20x speed; every number below is simulated).");
        System.out.println();
        return RunCommand.exitCode(LocalRun.execute(PlanReader.load("builtin:agent-serving"), 1, data, System.out, null, true));
    }
}
