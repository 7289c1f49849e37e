package io.tokensiege.coordinator.cli;

import io.tokensiege.common.plan.PlanException;
import io.tokensiege.common.plan.TraceReader;
import io.tokensiege.common.trace.Trace;
import io.tokensiege.common.trace.sharegpt.ShareGptConverter;
import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tokensiege trace}: check a trace file, or convert a ShareGPT-style file into one (docs/trace-format.md). */
@Command(name = "trace", mixinStandardHelpOptions = true, description = "Check a JSONL trace, or convert a ShareGPT file into one.",
        subcommands = {TraceCommand.Check.class, TraceCommand.Convert.class})
public final class TraceCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    /** {@code trace check FILE}: every bad line with its line and column, or what the trace holds. */
    @Command(name = "check", mixinStandardHelpOptions = true, description = "Validate a trace and report every bad line with its line and column.")
    static final class Check implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "A JSONL trace, or builtin:NAME.")
        String file;

        @Override
        public Integer call() {
            try {
                Trace t = file.startsWith("builtin:") ? TraceReader.builtin(file.substring("builtin:".length())) : TraceReader.read(Path.of(file), file);
                System.out.printf(Locale.ROOT, "%s: OK (%d records, %d sessions, %s, groups: %s)%n", file, t.records().size(), t.sessionCount(),
                        t.timed() ? String.format(Locale.ROOT, "%.1f s long", t.spanMicros() / 1e6) : "no times: replays as fast as possible only",
                        t.groups().isEmpty() ? "none" : String.join(", ", t.groups()));
                return ExitCodes.OK;
            } catch (PlanException e) {
                System.err.println(e.errors().size() + " error(s) in trace:");
                e.errors().stream().limit(50).forEach(x -> System.err.println("  " + x));
                if (e.errors().size() > 50) System.err.println("  ... and " + (e.errors().size() - 50) + " more");
                return ExitCodes.INVALID_INPUT;
            }
        }
    }

    /** {@code trace convert --sharegpt IN OUT}: writes OUT only when it holds at least one record. */
    @Command(name = "convert", mixinStandardHelpOptions = true, description = "Convert a ShareGPT-style conversations file into a JSONL trace.")
    static final class Convert implements Callable<Integer> {
        @Option(names = "--sharegpt", required = true, paramLabel = "IN", description = "A JSON array of { \"conversations\": [ { \"from\": \"human\"|\"gpt\"|\"system\", \"value\": \"...\" } ] }.")
        Path in;

        @Parameters(paramLabel = "OUT", description = "The trace to write (JSONL).")
        Path out;

        @Option(names = "--max-records", paramLabel = "N", defaultValue = "100000", description = "Stop after N records (default and most: ${DEFAULT-VALUE}).")
        int maxRecords;

        @Option(names = "--turns-as-sessions", description = "Each conversation a session with a record per human turn (else one record per conversation: its first human turn).")
        boolean turnsAsSessions;

        @Override
        public Integer call() {
            if (maxRecords < 1 || maxRecords > TraceReader.MAX_RECORDS) {
                System.err.println("--max-records must be from 1 to " + TraceReader.MAX_RECORDS + ", not " + maxRecords);
                return ExitCodes.INVALID_INPUT;
            }
            Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
            ShareGptConverter.Report report;
            try (InputStream input = Files.newInputStream(in); Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                report = ShareGptConverter.convert(input, in.toString(), w, new ShareGptConverter.Options(maxRecords, turnsAsSessions));
            } catch (NoSuchFileException e) {
                System.err.println(in + ": file not found");
                return cleanUp(tmp, ExitCodes.INVALID_INPUT);
            } catch (ShareGptConverter.ConversionException e) {
                System.err.println(e.getMessage());
                return cleanUp(tmp, ExitCodes.INVALID_INPUT);
            } catch (IOException e) {
                System.err.println("cannot convert " + in + " to " + out + ": " + e.getMessage());
                return cleanUp(tmp, ExitCodes.INVALID_INPUT);
            }
            print(report);
            if (report.records() == 0) {
                System.err.println("no usable conversation in " + in + ": nothing written");
                return cleanUp(tmp, ExitCodes.INVALID_INPUT);
            }
            try {
                Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                System.err.println("cannot write " + out + ": " + e.getMessage());
                return cleanUp(tmp, ExitCodes.INVALID_INPUT);
            }
            return ExitCodes.OK;
        }

        private void print(ShareGptConverter.Report r) {
            System.out.printf(Locale.ROOT, "%s: %d records%s from %d conversations%n", out, r.records(),
                    turnsAsSessions ? " in " + r.sessions() + " sessions" : "", r.conversations());
            print("skipped", r.skipped());
            print("kept with a change", r.adjusted());
            if (r.stoppedBy() != null) System.out.println("stopped at " + r.stoppedBy());
        }

        private static void print(String what, Map<String, ShareGptConverter.Count> counts) {
            counts.forEach((reason, c) -> System.out.printf(Locale.ROOT, "  %s %d conversation(s): %s (first at line %d)%n", what, c.times(), reason, c.firstLine()));
        }

        private static int cleanUp(Path tmp, int code) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // a leftover .tmp file is harmless; the error above is what matters
            }
            return code;
        }
    }
}
