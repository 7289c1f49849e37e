package io.tokensiege.deploy;

import io.tokensiege.common.cluster.ClusterNames;
import io.tokensiege.common.cluster.MulticastGroup;
import io.tokensiege.common.security.ResolvedAddress;
import io.tokensiege.common.security.TargetAllowList;
import io.tokensiege.coordinator.cli.AllowKeyEnvOption;
import io.tokensiege.coordinator.cli.ExitCodes;
import io.tokensiege.coordinator.cluster.ClusterCoordinator;
import io.tokensiege.coordinator.web.RunApi;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tokensiege coordinator}: the long-running cluster member with the REST API. */
@Command(name = "coordinator", mixinStandardHelpOptions = true, description = "Run the coordinator: workers join it, plans are submitted to its REST API.")
public final class CoordinatorCommand implements Callable<Integer> {
    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address for the cluster (default: ${DEFAULT-VALUE}); other than loopback needs a token.")
    String bind;

    @Option(names = "--port", defaultValue = "" + ClusterNames.DEFAULT_PORT, description = "Cluster port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--http", defaultValue = "127.0.0.1:8080", description = "REST API address, HOST:PORT (default: ${DEFAULT-VALUE}); other than loopback needs a token.")
    String http;

    @Option(names = "--data", defaultValue = "runs", description = "Where run directories are written (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--token-file", description = "File holding the cluster token (else TOKENSIEGE_TOKEN; without either, a random token for this machine only).")
    Path tokenFile;

    @Option(names = "--cluster-name", defaultValue = ClusterNames.DEFAULT_CLUSTER, description = "Cluster name; give each deployment its own (default: ${DEFAULT-VALUE}).")
    String clusterName;

    @Option(names = "--worker-timeout", defaultValue = "10", description = "Seconds a worker may be silent, or leave a command unacknowledged, "
            + "before it is declared lost (default: ${DEFAULT-VALUE}).")
    int workerTimeout;

    @Option(names = "--allow-target", paramLabel = "SCHEME://HOST[:PORT]", description = "Refuse plans with a target outside these (scheme, host and port; "
            + "'*' for any port or one host label, e.g. http://*.lan:*); repeatable. Default: any target.")
    List<String> allowTargets = new ArrayList<>();

    @Option(names = "--multicast", arity = "0..1", fallbackValue = MulticastGroup.DEFAULT, paramLabel = "GROUP:PORT",
            description = "Also announce this coordinator on a multicast group so workers started with --multicast find it "
                    + "(default group " + MulticastGroup.DEFAULT + "); needs a token. Off unless given: most LANs are better with --join.")
    String multicast;

    @Option(names = "--trace-dir", paramLabel = "DIR", description = "Folder that submitted plans may read trace files from (trace: { file: NAME } "
            + "inside it, no way out). Default: none, only builtin traces.")
    java.nio.file.Path traceDir;

    @Mixin
    AllowKeyEnvOption allowKeyEnv = new AllowKeyEnvOption();

    @Override
    public Integer call() throws Exception {
        ClusterToken given = ClusterToken.resolve(tokenFile);
        int colon = http.lastIndexOf(':');
        int httpPort;
        try {
            httpPort = Integer.parseInt(http.substring(colon + 1));
        } catch (NumberFormatException e) {
            System.err.println("--http takes HOST:PORT, e.g. 127.0.0.1:8080; got '" + http + "'");
            return ExitCodes.INVALID_INPUT;
        }
        String outOfRange = httpPort < 1 || httpPort > 65_535 ? "--http port " + httpPort + " is not a port (1 to 65535)"
                : port < 1 || port > 65_535 ? "--port " + port + " is not a port (1 to 65535)"
                : workerTimeout < 1 || workerTimeout > 3_600 ? "--worker-timeout " + workerTimeout + " must be 1 to 3600 seconds" : null;
        if (outOfRange != null) {
            System.err.println(outOfRange);
            return ExitCodes.INVALID_INPUT;
        }
        ResolvedAddress clusterAddress;
        ResolvedAddress httpAddress;
        TargetAllowList allowList;
        MulticastGroup group;
        try {
            clusterAddress = resolve("--bind", bind);
            httpAddress = resolve("--http", http.substring(0, Math.max(0, colon)));
            allowList = TargetAllowList.parse(allowTargets);
            group = multicast == null ? null : MulticastGroup.parse(multicast);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return ExitCodes.INVALID_INPUT;
        }
        if (!given.given()) {
            for (ResolvedAddress a : List.of(clusterAddress, httpAddress)) {
                if (a.isLoopback()) continue;
                System.err.println("without a cluster token the coordinator binds loopback only, and '" + a.given() + "' is " + a.literal()
                        + ": give --token-file F (or TOKENSIEGE_TOKEN) to listen there");
                return ExitCodes.INVALID_INPUT;
            }
        }
        if (traceDir != null && !java.nio.file.Files.isDirectory(traceDir)) {
            System.err.println("--trace-dir " + traceDir + " is not a folder");
            return ExitCodes.INVALID_INPUT;
        }
        if (group != null && !given.given()) {
            System.err.println("--multicast announces the coordinator on the LAN, so it needs a cluster token: give --token-file F (or TOKENSIEGE_TOKEN)");
            return ExitCodes.INVALID_INPUT;
        }
        String token = given.given() ? given.value() : LoopbackToken.createOrReuse(port);
        if (!given.given()) {
            System.out.println("No cluster token: binding to loopback only. This machine's token is in " + LoopbackToken.path(port)
                    + " (mode 0600): workers of this user here join with --join 127.0.0.1:" + port + " and no token.");
        }
        ClusterCoordinator cluster = new ClusterCoordinator(
                new ClusterCoordinator.Settings(clusterAddress.literal(), port, clusterName, workerTimeout, group), token);
        Vertx vertx = Vertxes.create();
        RunApi api = new RunApi(cluster, data, token, new RunApi.Options(!httpAddress.isLoopback(), allowList, RunApi.Options.DEFAULT_IDLE_TIMEOUT_SECONDS,
                allowKeyEnv.planOptions().withTraceDir(traceDir)));
        api.listen(vertx, httpAddress.literal(), httpPort).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        System.out.printf("tokensiege coordinator: cluster '%s' on %s:%d%s, REST API on http://%s:%d (web page at /, Prometheus at /metrics%s, "
                        + "runs in %s)%s%n", clusterName, clusterAddress.literal(), port, group == null ? "" : " (announced on multicast " + group + ")",
                httpAddress.literal(), httpPort, httpAddress.isLoopback() ? "" : " with the token as a bearer token", data.toAbsolutePath(),
                allowList.allowsAny() ? "" : "; allowed targets: " + allowList.patterns());
        // SIGTERM (systemd stop) or Ctrl-C: abort the run in progress (its workers are told to stop), wait for it to write what it
        // recorded, then leave: 4 when a run was aborted, 0 when idle.
        CountDownLatch stop = new CountDownLatch(1);
        AtomicInteger exit = new AtomicInteger(ExitCodes.OK);
        try (AbortOnSignal signals = AbortOnSignal.install(System.err, "stopping; aborting the run in progress, if any", reason -> {
            if (api.abortCurrent(reason, ABORT_WAIT_MILLIS) >= 0) exit.set(ExitCodes.RUN_FAILED);
            stop.countDown();
        })) {
            if (!signals.installed()) Runtime.getRuntime().addShutdownHook(new Thread(() -> api.abortCurrent("the JVM shutting down", ABORT_WAIT_MILLIS)));
            stop.await();
        }
        cluster.close();
        return exit.get();
    }

    /** How long a stopping coordinator waits for the aborted run to drain its workers and write its files. */
    private static final long ABORT_WAIT_MILLIS = 60_000;

    private static ResolvedAddress resolve(String option, String host) {
        try {
            return ResolvedAddress.resolve(host);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage());
        }
    }
}
