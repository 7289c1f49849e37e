package io.tokensiege.coordinator.report;

import io.tokensiege.common.analysis.Flag;
import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.coordinator.event.Failure;
import io.tokensiege.coordinator.event.RunListener;
import java.io.PrintStream;
import java.util.Locale;

/**
 * The console while a run goes: a progress line per step, rewritten in place every second with
 * merged live p50/p95 TTFT and tok/s, then a one-line result; flags and failures loudly.
 */
public final class ConsoleProgress implements RunListener {
    private final PrintStream out;
    private final boolean interactive;
    private String prefix = "";

    public ConsoleProgress(PrintStream out, boolean interactive) {
        this.out = out;
        this.interactive = interactive;
    }

    @Override
    public void onStepStarted(StepSpec step, int number, int of) {
        int done = number - 1;
        int barWidth = 20;
        int filled = of == 0 ? 0 : done * barWidth / of;
        prefix = String.format(Locale.ROOT, "[%s%s] %3d/%d %s", "#".repeat(filled), ".".repeat(barWidth - filled), number, of, step.label());
        if (interactive) out.print("\r" + prefix + "\u001B[K");
        else out.println(prefix + " ...");
    }

    @Override
    public void onInterval(StepSpec step, LiveStats s) {
        if (!interactive) return;
        out.print("\r" + prefix + "  " + LiveLine.format(s) + "\u001B[K");
    }

    @Override
    public void onStepFinished(StepSpec step, StepResult r) {
        String line;
        if (step.kind() == StepKind.WARMUP) line = prefix + "  warm-up done (not measured)";
        else if (r.failureSummary() != null) line = prefix + "  " + r.outcome().requests() + " req, " + r.failureSummary(); // no numbers to show: say why
        else line = String.format(Locale.ROOT, "%s  %d req, TTFT p50 %s, decode p50 %s tok/s, %.1f tok/s aggregate%s",
                        prefix, r.outcome().requests(), ms(r.dist().ttftMs().p50()), tokS(r.dist().decodeTokS().p50()), r.throughput().aggregateTokS(),
                        r.outcome().errorsByClass().isEmpty() ? "" : ", errors " + r.outcome().errorsByClass())
                + (r.start().startSkewMs() == null ? "" : ", " + r.start().describe());
        out.print((interactive ? "\r" : "") + line + (interactive ? "\u001B[K\n" : "\n"));
        for (Flag f : r.checks().flags()) out.println("    FLAG " + f.code() + ": " + f.message());
        if (r.checks().partial()) out.println("    PARTIAL: " + r.checks().partialReason());
    }

    @Override
    public void onFailure(Failure f) {
        out.println((interactive ? "\n" : "") + "    FAILURE " + f.kind() + (f.terminal() ? " (terminal)" : "") + ": " + f.message());
    }

    private static String ms(double v) {
        return LiveLine.ms(v);
    }

    /** A rate, or "—" when no request gave one (never "NaN"), as {@link LiveLine} shows a missing figure. */
    private static String tokS(double v) {
        return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%.1f", v);
    }
}
