package io.tokensiege.deploy;

import io.tokensiege.coordinator.cli.ExitCodes;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tokensiege abort --coordinator URL}: stops the run in progress on a coordinator (its workers stop, the step in progress
 * is kept as partial, run.json says aborted) and waits, bounded, until the coordinator reports it ended. Exit 0 when the run was
 * aborted or none was running, 4 when the coordinator could not be reached or did not confirm in time.
 */
@Command(name = "abort", mixinStandardHelpOptions = true, description = "Abort the run in progress on a coordinator.")
public final class AbortCommand implements Callable<Integer> {
    @Option(names = "--coordinator", required = true, paramLabel = "URL", description = "The coordinator's REST API, e.g. http://coord.lan:8080.")
    String coordinator;

    @Option(names = "--token-file", description = "File holding the cluster token, for a coordinator off loopback (else TOKENSIEGE_TOKEN).")
    Path tokenFile;

    @Option(names = "--wait", defaultValue = "90", paramLabel = "SECONDS",
            description = "How long to wait for the coordinator to report the aborted run (default: ${DEFAULT-VALUE}).")
    int waitSeconds;

    @Override
    public Integer call() throws Exception {
        CoordinatorClient client = new CoordinatorClient(coordinator, ClusterToken.resolve(tokenFile));
        CoordinatorClient.Answer answer;
        try {
            answer = client.abortCurrent();
        } catch (IOException e) {
            System.err.println("tokensiege: cannot reach the coordinator at " + client.base() + " (" + CoordinatorClient.why(e) + ")");
            return ExitCodes.RUN_FAILED;
        }
        if (answer.status() == 404) {
            System.out.println("no run in progress on " + client.base());
            return ExitCodes.OK;
        }
        if (answer.status() != 202) {
            System.err.println("the coordinator refused the abort (HTTP " + answer.status() + "): " + answer.body().path("error").asText());
            return answer.status() == 401 ? ExitCodes.INVALID_INPUT : ExitCodes.RUN_FAILED;
        }
        String id = answer.body().path("run_id").asText();
        String directory = answer.body().path("directory").asText();
        System.out.println("aborting run " + id + " on " + client.base() + " ...");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
        while (System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(500); // polling the coordinator's status: there is no event to wait on over HTTP
            try {
                CoordinatorClient.Answer s = client.status(id);
                String status = s.body().path("status").asText();
                if (s.status() == 200 && !status.equals("running")) {
                    System.out.println("run " + id + " " + status + "; what it recorded is in " + directory + " on the coordinator's host");
                    return ExitCodes.OK;
                }
            } catch (IOException e) {
                System.err.println("tokensiege: lost the coordinator while it aborted run " + id + " (" + CoordinatorClient.why(e) + "); what it wrote is in "
                        + directory + " on its host");
                return ExitCodes.RUN_FAILED;
            }
        }
        System.err.println("tokensiege: run " + id + " still not ended " + waitSeconds + " s after the abort; check the coordinator's log");
        return ExitCodes.RUN_FAILED;
    }
}
