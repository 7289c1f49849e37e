package io.tokensiege.coordinator.cli;

import io.tokensiege.common.plan.PlanException;
import io.tokensiege.common.plan.PlanReader;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tokensiege plans}: lists the built-in plans, shows one, or validates a plan file. */
@Command(name = "plans", mixinStandardHelpOptions = true, description = "List built-in plans, print one (--show), or check a plan file (--check).")
public final class PlansCommand implements Callable<Integer> {
    @Option(names = "--show", paramLabel = "NAME", description = "Print a built-in plan's YAML (copy it to start your own).")
    String show;

    @Option(names = "--check", paramLabel = "FILE", description = "Validate a plan file and report every error with its line.")
    String check;

    @Parameters(hidden = true, arity = "0")
    String ignored;

    @Mixin
    AllowKeyEnvOption allowKeyEnv = new AllowKeyEnvOption();

    @Override
    public Integer call() {
        if (show != null) {
            if (!PlanReader.BUILT_IN.contains(show)) {
                System.err.println("no built-in plan '" + show + "'; built-in plans: " + String.join(", ", PlanReader.BUILT_IN));
                return ExitCodes.INVALID_INPUT;
            }
            System.out.print(PlanReader.builtInText(show));
            return ExitCodes.OK;
        }
        if (check != null) {
            try {
                var plan = PlanReader.load(check, allowKeyEnv.planOptions());
                System.out.println(check + ": OK (" + plan.targets().size() + " targets, " + plan.scenarios().size() + " scenarios)");
                return ExitCodes.OK;
            } catch (PlanException e) {
                System.err.println(e.getMessage());
                return ExitCodes.INVALID_INPUT;
            }
        }
        System.out.println("Built-in plans (tokensiege plans --show NAME):");
        for (String name : PlanReader.BUILT_IN) {
            String first = PlanReader.builtInText(name).lines().filter(l -> l.startsWith("description:") || l.startsWith("# ")).findFirst().orElse("");
            System.out.println("  " + name + "  " + first.replaceFirst("^(description:|#)\\s*", ""));
        }
        return ExitCodes.OK;
    }
}
