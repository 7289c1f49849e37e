package io.tokensiege.deploy;

import io.tokensiege.common.plan.Plan;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.coordinator.report.ConsoleProgress;
import io.tokensiege.coordinator.event.RunListener;
import io.tokensiege.coordinator.run.RunOrchestrator;
import io.tokensiege.coordinator.run.RunOutcome;
import io.tokensiege.coordinator.run.RunService;
import io.vertx.core.Vertx;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.LoggerFactory;

/**
 * {@code run --local}: starts simulated targets, a coordinator and N in-process workers, runs the
 * plan, prints the summary and returns the outcome. Ctrl-C or SIGTERM (when {@code abortOnSignal}) aborts the run:
 * the step in progress is kept as a partial step over the window it covered, everything recorded is written,
 * run.json says {@code aborted}, and the command exits 4.
 */
final class LocalRun {
    private LocalRun() {}

    static RunOutcome execute(Plan plan, int workers, Path dataRoot, PrintStream out, RunListener extra) throws Exception {
        return execute(plan, workers, dataRoot, out, extra, false);
    }

    static RunOutcome execute(Plan plan, int workers, Path dataRoot, PrintStream out, RunListener extra, boolean abortOnSignal) throws Exception {
        PendingAbort pending = new PendingAbort();
        try (AbortOnSignal signals = abortOnSignal ? AbortOnSignal.install(System.err, "aborting the run and writing what was recorded", pending::abort) : null) {
            return run(plan, workers, dataRoot, out, extra, pending);
        }
    }

    private static RunOutcome run(Plan plan, int workers, Path dataRoot, PrintStream out, RunListener extra, PendingAbort pending) throws Exception {
        Vertx vertx = Vertxes.create();
        try (SimulatedTargets simulated = new SimulatedTargets(vertx, plan)) {
            SecretBox secrets = new SecretBox(SecretBox.randomToken());
            RunService.Run[] holder = new RunService.Run[1];
            try (InProcessCluster cluster = new InProcessCluster(vertx, workers, secrets, m -> holder[0].onMessage(m))) {
                RunListener console = new ConsoleProgress(out, System.console() != null);
                RunListener listener = extra == null ? console : new Both(console, extra);
                holder[0] = new RunService(dataRoot, secrets, RunOrchestrator.Settings.LOCAL).prepare(simulated.plan, simulated.provenance, cluster::links,
                        run -> listener);
                pending.attach(holder[0]);
                CountDownLatch finished = new CountDownLatch(1);
                // Other ways out of the JVM (SIGHUP, or signals not caught): still abort and let the run write what it has.
                Thread hook = new Thread(() -> {
                    holder[0].abort("the JVM shutting down");
                    try {
                        finished.await(15, TimeUnit.SECONDS);
                    } catch (InterruptedException ignored) {
                        Thread.currentThread().interrupt();
                    }
                });
                Runtime.getRuntime().addShutdownHook(hook);
                RunService.Ended ended;
                try {
                    ended = holder[0].execute();
                } finally {
                    finished.countDown();
                }
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the JVM is exiting: the hook is already running
                }
                out.println();
                RunOutcome outcome = ended.outcome();
                out.print(ended.summary());
                simulated.lateSimulators().forEach(out::println);
                out.println((outcome.aborted() ? "Run aborted; what was recorded is in: " : "Results: ") + outcome.directory().toAbsolutePath());
                return outcome;
            }
        } finally {
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                LoggerFactory.getLogger(LocalRun.class).warn("the in-process workers and simulators did not stop within 10 s; exiting anyway");
            }
        }
    }

    /** An abort that may come before the orchestrator exists (Ctrl-C while the simulators start): kept, then passed on. */
    private static final class PendingAbort {
        private RunService.Run run;
        private String reason;

        synchronized void abort(String why) {
            reason = why;
            if (run != null) run.abort(why);
        }

        synchronized void attach(RunService.Run r) {
            run = r;
            if (reason != null) r.abort(reason);
        }
    }

    /** Two listeners as one. */
    private record Both(RunListener a, RunListener b) implements RunListener {
        @Override
        public void onStepStarted(io.tokensiege.common.protocol.StepSpec step, int number, int of) {
            a.onStepStarted(step, number, of);
            b.onStepStarted(step, number, of);
        }

        @Override
        public void onInterval(io.tokensiege.common.protocol.StepSpec step, LiveStats stats) {
            a.onInterval(step, stats);
            b.onInterval(step, stats);
        }

        @Override
        public void onStepFinished(io.tokensiege.common.protocol.StepSpec step, io.tokensiege.common.analysis.StepResult result) {
            a.onStepFinished(step, result);
            b.onStepFinished(step, result);
        }

        @Override
        public void onFailure(io.tokensiege.coordinator.event.Failure failure) {
            a.onFailure(failure);
            b.onFailure(failure);
        }
    }
}
