package io.tokensiege.deploy;

import io.tokensiege.common.cluster.ClusterNames;
import io.tokensiege.common.cluster.MulticastGroup;
import io.tokensiege.common.protocol.JoinReply;
import io.tokensiege.coordinator.cli.ExitCodes;
import io.tokensiege.worker.cluster.ClusterWorker;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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

    @Option(names = "--token-file", description = "File holding the cluster token (else TOKENSIEGE_TOKEN).")
    Path tokenFile;

    @Option(names = "--allow-target", description = "Only send load to target URLs matching this pattern ('*' wildcard); repeatable.")
    List<String> allowTargets = new ArrayList<>();

    @Option(names = "--cluster-name", defaultValue = ClusterNames.DEFAULT_CLUSTER, description = "Cluster name (default: ${DEFAULT-VALUE}).")
    String clusterName;

    @Option(names = "--data", defaultValue = "worker-data", description = "Where this worker keeps its own copy of what it measured (default: ${DEFAULT-VALUE}).")
    Path data;

    @Override
    public Integer call() throws Exception {
        ClusterToken token = ClusterToken.resolve(tokenFile);
        if ((join == null) == (multicast == null)) {
            System.err.println("give the coordinator's address with --join HOST[:PORT], or find it with --multicast (one of the two)");
            return ExitCodes.INVALID_INPUT;
        }
        MulticastGroup group = null;
        String address = null;
        if (multicast != null) {
            try {
                group = MulticastGroup.parse(multicast);
            } catch (IllegalArgumentException e) {
                System.err.println(e.getMessage());
                return ExitCodes.INVALID_INPUT;
            }
            if (!token.given()) {
                System.err.println("--multicast finds a coordinator on the LAN, so it needs the cluster token: give --token-file F (or TOKENSIEGE_TOKEN)");
                return ExitCodes.INVALID_INPUT;
            }
        } else {
            String host = join.contains(":") ? join.substring(0, join.lastIndexOf(':')) : join;
            address = join.contains(":") ? join : join + ":" + ClusterNames.DEFAULT_PORT;
            if (!token.given() && !ClusterToken.isLoopback(host)) {
                System.err.println("without a cluster token a worker joins loopback only: give --token-file F (or TOKENSIEGE_TOKEN) to join " + host);
                return ExitCodes.INVALID_INPUT;
            }
        }
        String id = name != null ? name : InetAddress.getLocalHost().getHostName() + "-" + ProcessHandle.current().pid();
        Vertx vertx = Vertxes.create();
        ClusterWorker worker;
        try {
            worker = new ClusterWorker(vertx, new ClusterWorker.Settings(address, clusterName, id, capacity, allowTargets, 1000, data, group), token.value());
        } catch (IllegalStateException unreachable) { // Hazelcast gave up connecting (30 s)
            System.err.println(group == null
                    ? "no coordinator answered at " + address + " (cluster '" + clusterName + "') within 30 s: is it running with --bind on that address, and is the port open?"
                    : "no coordinator announced itself on multicast " + group + " (cluster '" + clusterName + "') within 30 s: start it with --multicast too, "
                            + "or use --join HOST if this network does not carry multicast");
            vertx.close();
            return ExitCodes.RUN_FAILED;
        }
        JoinReply reply = worker.awaitJoin(30_000);
        if (!reply.accepted()) {
            System.err.println("the coordinator refused worker " + id + ": " + reply.message());
            worker.close();
            return ExitCodes.INVALID_INPUT;
        }
        System.out.println("tokensiege worker " + id + " joined " + (address != null ? address : "the coordinator found on multicast " + group)
                + (allowTargets.isEmpty() ? "" : "; allowed targets: " + allowTargets));
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            worker.close();
            stop.countDown();
        }));
        stop.await();
        return ExitCodes.OK;
    }
}
