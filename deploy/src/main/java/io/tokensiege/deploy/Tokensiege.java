package io.tokensiege.deploy;

import io.tokensiege.coordinator.cli.ExitCodes;
import io.tokensiege.coordinator.cli.PlansCommand;
import io.tokensiege.simulator.SimulateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The one {@code tokensiege} launcher: every module contributes its subcommands here. */
@Command(name = "tokensiege", mixinStandardHelpOptions = true, versionProvider = Tokensiege.VersionProvider.class,
        description = "Distributed load tester for LLM inference servers (OpenAI-compatible streaming).",
        subcommands = {DemoCommand.class, RunCommand.class, QuickCommand.class, PlansCommand.class, SimulateCommand.class,
                CoordinatorCommand.class, WorkerCommand.class, AbortCommand.class, io.tokensiege.coordinator.cli.ReportCommand.class, io.tokensiege.coordinator.cli.TraceCommand.class,
                BenchCommand.class, CommandLine.HelpCommand.class})
public final class Tokensiege implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        try {
            System.exit(commandLine().execute(args));
        } catch (OutOfMemoryError e) { // an Error passes picocli's handler; one line and exit 4 rather than a stack trace and 1
            System.err.println("tokensiege: out of memory (" + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB heap): what was written is in the"
                    + " run directory; give the JVM more heap (JAVA_OPTS=-Xmx2g) or shorten the steps");
            System.exit(ExitCodes.RUN_FAILED);
        }
    }

    /** The launcher with its exit codes: an exception is 4 (run failed) and says why in one line, refused input is 2. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Tokensiege());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("tokensiege: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
            return e instanceof InvalidInput ? ExitCodes.INVALID_INPUT : ExitCodes.RUN_FAILED;
        });
        cli.setParameterExceptionHandler((e, args2) -> {
            e.getCommandLine().getErr().println(e.getMessage());
            e.getCommandLine().usage(e.getCommandLine().getErr());
            return ExitCodes.INVALID_INPUT;
        });
        return cli;
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"tokensiege " + io.tokensiege.common.protocol.Version.current()};
        }
    }
}
