package io.tokensiege.deploy;

import io.tokensiege.common.cluster.ClusterNames;
import io.tokensiege.common.cluster.MulticastGroup;
import io.tokensiege.common.protocol.JoinReply;
import io.tokensiege.common.security.ResolvedAddress;
import io.tokensiege.common.security.TargetAllowList;
import io.tokensiege.coordinator.cli.ExitCodes;
import io.tokensiege.worker.cluster.ClusterWorker;
import io.vertx.core.Vertx;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tokensiege worker --join HOST}: a load worker for a coordinator. */
@Command(name = "worker", mixinStandardHelpOptions = true, description = "Join a coordinator and run its load plans.")
public final class WorkerCommand implements Callable<Integer> {
    @Option(names = "--join", description = "Coordinator address, HOST or HOST:PORT (or find it with --multicast).")
    String join;

    @Option(names = "--multicast", arity = "0..1", fallbackValue = MulticastGroup.DEFAULT, paramLabel = "GROUP:PORT",
            description = "Find the coordinator on a multicast group instead of --join (default group " + MulticastGroup.DEFAULT
                    + "); the coordinator must be started with --multicast too. Needs a token.")
    String multicast;

    @Option(names = "--name", description = "Worker name (default: host name and process id).")
    String name;

    @Option(names = "--capacity", defaultValue = "1", description = "Relative capacity: shares are split in proportion (default: ${DEFAULT-VALUE}).")
    int capacity;

    @Option(names = "--token-file", description = "File holding the cluster token (else TOKENSIEGE_TOKEN; without either, joining a coordinator "
            + "on this machine only, with the token it left for its user).")
    Path tokenFile;

    @Option(names = "--allow-target", paramLabel = "SCHEME://HOST[:PORT]", description = "Only send load to targets matching one of these "
            + "(scheme, host and port; '*' for any port or one host label, e.g. http://*.lan:*); repeatable.")
    List<String> allowTargets = new ArrayList<>();

    @Option(names = "--cluster-name", defaultValue = ClusterNames.DEFAULT_CLUSTER, description = "Cluster name (default: ${DEFAULT-VALUE}).")
    String clusterName;

    @Option(names = "--data", defaultValue = "worker-data", description = "Where this worker keeps its own copy of what it measured (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--give-up-after", defaultValue = "180", paramLabel = "SECONDS", description = "Exit with code 4 when no coordinator has admitted "
            + "this worker for this long (first start included), so a supervisor such as systemd restarts it (default: ${DEFAULT-VALUE}).")
    int giveUpSeconds;

    @Override
    public Integer call() throws Exception {
        ClusterToken given = ClusterToken.resolve(tokenFile);
        if (capacity < 1 || capacity > 1_000) {
            System.err.println("--capacity " + capacity + " must be 1 to 1000 (a worker's share of each step, relative to the others')");
            return ExitCodes.INVALID_INPUT;
        }
        if ((join == null) == (multicast == null)) {
            System.err.println("give the coordinator's address with --join HOST[:PORT], or find it with --multicast (one of the two)");
            return ExitCodes.INVALID_INPUT;
        }
        if (giveUpSeconds < 1) {
            System.err.println("--give-up-after must be at least 1 second; got " + giveUpSeconds);
            return ExitCodes.INVALID_INPUT;
        }
        TargetAllowList allowList;
        MulticastGroup group = null;
        String address = null;
        String token = given.value();
        try {
            allowList = TargetAllowList.parse(allowTargets);
            if (multicast != null) {
                group = MulticastGroup.parse(multicast);
                if (!given.given()) {
                    System.err.println("--multicast finds a coordinator on the LAN, so it needs the cluster token: give --token-file F (or TOKENSIEGE_TOKEN)");
                    return ExitCodes.INVALID_INPUT;
                }
            } else {
                Endpoint coordinator = Endpoint.parse(join);
                ResolvedAddress host = ResolvedAddress.resolve(coordinator.host());
                address = (host.address() instanceof Inet6Address ? "[" + host.literal() + "]" : host.literal()) + ":" + coordinator.port();
                if (!given.given()) {
                    if (!host.isLoopback()) {
                        System.err.println("without a cluster token a worker joins loopback only, and '" + coordinator.host() + "' is " + host.literal()
                                + ": give --token-file F (or TOKENSIEGE_TOKEN) to join it");
                        return ExitCodes.INVALID_INPUT;
                    }
                    token = LoopbackToken.read(coordinator.port());
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return ExitCodes.INVALID_INPUT;
        }
        String id = name != null ? name : InetAddress.getLocalHost().getHostName() + "-" + ProcessHandle.current().pid();
        Vertx vertx = Vertxes.create();
        var settings = new ClusterWorker.Settings(address, clusterName, id, capacity, allowList, 1000, data, group,
                ClusterWorker.Settings.DEFAULT_SILENCE_MILLIS, giveUpSeconds * 1000L);
        ClusterWorker worker;
        try {
            worker = new ClusterWorker(vertx, settings, token);
        } catch (IllegalStateException unreachable) { // Hazelcast gave up connecting
            System.err.println(group == null
                    ? "no coordinator answered at " + address + " (cluster '" + clusterName + "') within " + giveUpSeconds + " s: is it running with --bind on that "
                            + "address, and is the port open?"
                    : "no coordinator announced itself on multicast " + group + " (cluster '" + clusterName + "') within " + giveUpSeconds + " s: start it with "
                            + "--multicast too, or use --join HOST if this network does not carry multicast");
            vertx.close();
            return ExitCodes.RUN_FAILED;
        }
        Object first = CompletableFuture.anyOf(worker.joined(), worker.gaveUp()).get();
        if (first instanceof String reason) {
            System.err.println("tokensiege worker " + id + ": " + reason);
            worker.close();
            return ExitCodes.RUN_FAILED;
        }
        if (!((JoinReply) first).accepted()) {
            System.err.println("the coordinator refused worker " + id + ": " + ((JoinReply) first).message());
            worker.close();
            return ExitCodes.INVALID_INPUT;
        }
        System.out.println("tokensiege worker " + id + " joined " + (address != null ? address : "the coordinator found on multicast " + group)
                + (allowList.allowsAny() ? "" : "; allowed targets: " + allowList.patterns()));
        CompletableFuture<Integer> exit = new CompletableFuture<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            worker.close();
            exit.complete(ExitCodes.OK);
        }));
        worker.gaveUp().thenAccept(reason -> {
            System.err.println("tokensiege worker " + id + ": " + reason + "; exiting so a supervisor can restart it");
            exit.complete(ExitCodes.RUN_FAILED);
        });
        return exit.get();
    }

    /** {@code HOST} or {@code HOST:PORT} ({@code [v6]:PORT} for IPv6), with the cluster's default port. */
    record Endpoint(String host, int port) {
        static Endpoint parse(String text) {
            int colon = text.lastIndexOf(':');
            boolean hasPort = colon > 0 && (text.indexOf(':') == colon || text.startsWith("[")) && !text.endsWith("]");
            if (!hasPort) return new Endpoint(text, ClusterNames.DEFAULT_PORT);
            try {
                return new Endpoint(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--join takes HOST or HOST:PORT, e.g. 192.168.1.10:5701; got '" + text + "'");
            }
        }
    }
}
