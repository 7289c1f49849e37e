package io.tokensiege.deploy.browser;

import io.tokensiege.common.security.TargetAllowList;
import io.tokensiege.coordinator.cluster.ClusterCoordinator;
import io.tokensiege.coordinator.web.RunApi;
import io.tokensiege.simulator.http.SimulatorServer;
import io.tokensiege.simulator.profile.Profiles;
import io.vertx.core.Vertx;
import io.tokensiege.worker.cluster.ClusterWorker;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A coordinator as {@code tokensiege coordinator} runs it (cluster member, web UI and API on loopback), one worker
 * joined over the cluster in this JVM, and simulated servers at real speed to measure. Everything on ephemeral
 * loopback ports with its own cluster name.
 */
final class LiveCoordinator implements AutoCloseable {
    static final String TOKEN = "browser-test-token-" + UUID.randomUUID();

    final Vertx vertx = Vertx.vertx();
    final List<SimulatorServer> simulators = new ArrayList<>();
    final ClusterCoordinator cluster;
    final ClusterWorker worker;
    final Path data;
    final String base;
    /** The same coordinator's pages as an address off loopback serves them: the token asked once, then a session cookie. */
    final String signedBase;

    LiveCoordinator(Path dir, List<String> profiles) throws Exception {
        for (String p : profiles) {
            simulators.add(SimulatorServer.start(vertx, Profiles.load(p), "127.0.0.1", 0, 1).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS));
        }
        int clusterPort = freePort();
        String name = "browser-" + UUID.randomUUID(); // never join a stale cluster
        cluster = new ClusterCoordinator(new ClusterCoordinator.Settings("127.0.0.1", clusterPort, name, 10), TOKEN);
        data = dir.resolve("runs");
        int httpPort = freePort();
        new RunApi(cluster, data, TOKEN, new RunApi.Options(false)).listen(vertx, "127.0.0.1", httpPort).toCompletionStage().toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        base = "http://127.0.0.1:" + httpPort;
        int signedPort = freePort();
        new RunApi(cluster, data, TOKEN, new RunApi.Options(true)).listen(vertx, "127.0.0.1", signedPort).toCompletionStage().toCompletableFuture()
                .get(30, TimeUnit.SECONDS);
        signedBase = "http://127.0.0.1:" + signedPort;
        worker = new ClusterWorker(vertx, new ClusterWorker.Settings("127.0.0.1:" + clusterPort, name, "w1", 1, TargetAllowList.ANY, 1000,
                dir.resolve("worker-data"), null, ClusterWorker.Settings.DEFAULT_SILENCE_MILLIS, 60_000), TOKEN);
        if (!worker.joined().get(60, TimeUnit.SECONDS).accepted()) throw new IllegalStateException("the coordinator refused the test's worker");
    }

    /** A plan with a concurrency sweep against every simulator, one target each (named after its profile). */
    String plan(String name, String levels, String duration) {
        StringBuilder sb = new StringBuilder("name: " + name + "\ntargets:\n");
        for (SimulatorServer s : simulators) {
            String profile = s.profile().name();
            sb.append("  - { name: ").append(profile).append(", url: \"http://127.0.0.1:").append(s.port()).append("/v1\", model: ")
                    .append(s.profile().model()).append(" }\n");
        }
        return sb.append("defaults: { warmup: 1, max_tokens: 60, ramp: 1s }\nscenarios:\n  - { name: sweep, prompt: { tokens: 32, unique: true }, ")
                .append("load: { concurrency: [").append(levels).append("], duration: ").append(duration).append(" } }\nslo: { ttft_p50: 1s }\n").toString();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        worker.close();
        cluster.close();
        simulators.forEach(SimulatorServer::close);
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
}
