package io.tokensiege.coordinator.run;

import io.tokensiege.common.plan.Plan;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.protocol.ToCoordinator;
import io.tokensiege.coordinator.event.RunListener;
import io.tokensiege.coordinator.report.RunDirectory;
import io.tokensiege.coordinator.report.SummaryTable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Starts and ends runs the same way for the web API and for local runs: a run directory under the data root, an
 * orchestrator over the workers, and at the end the outcome with its summary table. Where a run executes (its own
 * thread, or the caller's) and how its progress is shown stay with the caller.
 */
public final class RunService {
    private final Path dataRoot;
    private final SecretBox secrets;
    private final RunOrchestrator.Settings settings;

    public RunService(Path dataRoot, SecretBox secrets, RunOrchestrator.Settings settings) {
        this.dataRoot = dataRoot;
        this.secrets = secrets;
        this.settings = settings;
    }

    /**
     * Creates the run's directory (named after the plan, with {@code provenance} in its run.json) and its orchestrator; nothing
     * is sent to a worker before {@link Run#execute()}. {@code listener} is asked for once the run's id and directory exist.
     */
    public Run prepare(Plan plan, Map<String, Object> provenance, Supplier<List<WorkerLink>> workers, Function<Run, RunListener> listener)
            throws IOException {
        RunDirectory directory = RunDirectory.create(dataRoot, plan.name(), provenance);
        return new Run(plan, directory, workers, listener);
    }

    /** A run's end: what it measured, and the summary table printed for it. */
    public record Ended(RunOutcome outcome, String summary) {}

    /** One prepared run: messages for it go to {@link #onMessage}, {@link #execute()} runs it, {@link #abort} stops it from any thread. */
    public final class Run {
        private final Plan plan;
        private final RunDirectory directory;
        private final RunOrchestrator orchestrator;

        private Run(Plan plan, RunDirectory directory, Supplier<List<WorkerLink>> workers, Function<Run, RunListener> listener) {
            this.plan = plan;
            this.directory = directory;
            this.orchestrator = new RunOrchestrator(plan, directory.runId(), workers, directory, listener.apply(this), secrets, settings);
        }

        public String id() {
            return directory.runId();
        }

        public Path directory() {
            return directory.path();
        }

        /** Entry for the workers' messages, from any thread; messages of other runs are dropped. */
        public void onMessage(ToCoordinator message) {
            orchestrator.onMessage(message);
        }

        /** See {@link RunOrchestrator#abort(String)}: {@code reason} says who asked, after "aborted by". */
        public void abort(String reason) {
            orchestrator.abort(reason);
        }

        /** Runs the plan to its end on the calling thread; everything recorded is written before this returns. */
        public Ended execute() {
            RunOutcome outcome = orchestrator.execute();
            return new Ended(outcome, SummaryTable.markdown(plan, outcome.steps(), outcome.failures(), outcome.verdict(), outcome.serverNotes()));
        }
    }
}
