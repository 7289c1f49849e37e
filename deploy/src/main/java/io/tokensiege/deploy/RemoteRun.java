package io.tokensiege.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.coordinator.cli.ExitCodes;
import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/**
 * {@code run PLAN --coordinator URL}: submits the plan and follows the run, printing its progress. Ctrl-C (or SIGTERM) asks the
 * coordinator to abort the run ({@code DELETE /api/runs/current}), waits a bounded time for the aborted outcome, prints it and
 * exits 4. A coordinator that goes away (killed, unreachable) ends the client after {@value #GONE_AFTER_MILLIS} ms with what was
 * last known and where the partial results are, also with 4.
 */
final class RemoteRun {
    /** Failed polls for this long mean the coordinator is gone, not a blip. */
    static final long GONE_AFTER_MILLIS = 10_000;
    /** After an abort, how long the client waits for the coordinator to report the aborted run (it drains workers and writes first). */
    static final long ABORT_WAIT_MILLIS = 90_000;
    private static final long POLL_MILLIS = 1000;

    private final CoordinatorClient coordinator;
    private final PrintStream out;
    private volatile String abortedBy;
    private volatile long abortedAtNanos;

    private RemoteRun(CoordinatorClient coordinator, PrintStream out) {
        this.coordinator = coordinator;
        this.out = out;
    }

    static int submit(String url, String planYaml, String planName, ClusterToken token, PrintStream out) throws Exception {
        RemoteRun run = new RemoteRun(new CoordinatorClient(url, token), out);
        try (AbortOnSignal signals = AbortOnSignal.install(System.err, "asking the coordinator to abort the run", run::abortRequested)) {
            return run.submitAndFollow(planYaml, planName);
        }
    }

    private void abortRequested(String reason) {
        abortedAtNanos = System.nanoTime();
        abortedBy = reason; // the follow loop sends the abort: it knows whether the run has started
    }

    private int submitAndFollow(String planYaml, String planName) throws InterruptedException {
        CoordinatorClient.Answer created;
        try {
            created = coordinator.submit(planYaml, planName);
        } catch (IOException e) {
            System.err.println("tokensiege: cannot reach the coordinator at " + coordinator.base() + " (" + CoordinatorClient.why(e)
                    + "): is it running, and is that its --http address?");
            return ExitCodes.RUN_FAILED;
        }
        JsonNode body = created.body();
        if (created.status() == 400) {
            System.err.println(body.path("error").asText());
            body.path("errors").forEach(e -> System.err.println("  " + e.asText()));
            return ExitCodes.INVALID_INPUT;
        }
        if (created.status() != 202) {
            System.err.println("the coordinator refused the run (HTTP " + created.status() + "): " + body.path("error").asText());
            return created.status() == 401 ? ExitCodes.INVALID_INPUT : ExitCodes.RUN_FAILED;
        }
        String id = body.path("run_id").asText();
        String directory = body.path("directory").asText();
        out.println("run " + id + " started on " + coordinator.base() + "; results in " + directory + " on the coordinator");
        return follow(id, directory);
    }

    /** Prints the run's progress until the coordinator reports its end; bounded by the coordinator's deadlines, an abort's wait, or its absence. */
    private int follow(String id, String directory) throws InterruptedException {
        int printed = 0;
        boolean abortSent = false;
        long failingSinceNanos = 0;
        String lastKnown = "run " + id + " had just started";
        while (true) {
            TimeUnit.MILLISECONDS.sleep(POLL_MILLIS); // one status call a second: the coordinator's pace, not an event we could wait on
            if (abortedBy != null && !abortSent) abortSent = sendAbort(id);
            if (abortSent && System.nanoTime() - abortedAtNanos > TimeUnit.MILLISECONDS.toNanos(ABORT_WAIT_MILLIS)) {
                System.err.println("tokensiege: the coordinator did not report the aborted run within " + ABORT_WAIT_MILLIS / 1000
                        + " s; last known: " + lastKnown + ". What it wrote is in " + directory + " on the coordinator's host");
                return ExitCodes.RUN_FAILED;
            }
            CoordinatorClient.Answer answer;
            try {
                answer = coordinator.status(id);
                failingSinceNanos = 0;
            } catch (IOException e) {
                if (failingSinceNanos == 0) failingSinceNanos = System.nanoTime();
                if (System.nanoTime() - failingSinceNanos < TimeUnit.MILLISECONDS.toNanos(GONE_AFTER_MILLIS)) continue;
                System.err.println("tokensiege: the coordinator at " + coordinator.base() + " went away during run " + id + " ("
                        + CoordinatorClient.why(e) + " for " + GONE_AFTER_MILLIS / 1000 + " s). Last known: " + lastKnown
                        + ". Whatever it wrote before it went is in " + directory + " on the coordinator's host (run.json may still say"
                        + " \"running\"); each worker also kept its own copy of what it measured under its --data folder.");
                return ExitCodes.RUN_FAILED;
            }
            JsonNode s = answer.body();
            if (answer.status() != 200) {
                System.err.println("tokensiege: the coordinator no longer knows run " + id + " (HTTP " + answer.status() + ": "
                        + s.path("error").asText() + "); was it restarted? What it wrote is in " + directory + " on its host");
                return ExitCodes.RUN_FAILED;
            }
            JsonNode lines = s.path("progress");
            for (int i = printed; i < lines.size(); i++) out.println(lines.get(i).asText());
            printed = lines.size();
            if (printed > 0) lastKnown = lines.get(printed - 1).asText().strip();
            JsonNode live = s.path("live");
            if (!live.isMissingNode()) {
                String line = "    live " + live.path("step").asText() + "  " + live.path("line").asText();
                out.println(line);
                lastKnown = line.strip();
            }
            if (!s.path("status").asText().equals("running")) {
                if (s.has("summary")) out.print(s.get("summary").asText());
                if (s.has("error")) System.err.println("run failed: " + s.get("error").asText());
                return s.path("exit_code").asInt(ExitCodes.RUN_FAILED);
            }
        }
    }

    /** Sends the abort; true once the coordinator took it (or had nothing left to abort). */
    private boolean sendAbort(String id) {
        try {
            CoordinatorClient.Answer a = coordinator.abortCurrent();
            if (a.status() == 202) out.println("abort requested (" + abortedBy + "): the coordinator is stopping run " + id + " on every worker");
            else out.println("abort requested (" + abortedBy + "): " + a.body().path("error").asText("HTTP " + a.status()));
            return true;
        } catch (IOException e) {
            System.err.println("tokensiege: could not ask the coordinator to abort (" + CoordinatorClient.why(e) + "); trying again");
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
