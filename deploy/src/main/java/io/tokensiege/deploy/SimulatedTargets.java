package io.tokensiege.deploy;

import io.tokensiege.common.plan.Plan;
import io.tokensiege.common.plan.Target;
import io.tokensiege.common.json.Json;
import io.tokensiege.simulator.http.SimulatorServer;
import io.tokensiege.simulator.profile.Profile;
import io.tokensiege.simulator.profile.Profiles;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts an in-process simulator for every {@code simulated:} target of a plan, on an ephemeral
 * loopback port, and points the target at it. The profile's settings become the run's provenance.
 */
final class SimulatedTargets implements AutoCloseable {
    final Plan plan;
    final Map<String, Object> provenance = new LinkedHashMap<>();
    private final List<SimulatorServer> servers = new ArrayList<>();

    SimulatedTargets(Vertx vertx, Plan original) throws Exception {
        List<Target> targets = new ArrayList<>();
        Map<String, Object> settings = new LinkedHashMap<>();
        for (Target t : original.targets()) {
            if (!t.isSimulated()) {
                targets.add(t);
                continue;
            }
            Profile profile = Profiles.load(t.simulated().profile(), t.simulated().set());
            SimulatorServer server = SimulatorServer.start(vertx, profile, "127.0.0.1", 0, t.simulated().speed())
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            servers.add(server);
            targets.add(t.withEndpoint("http://127.0.0.1:" + server.port() + "/v1", t.model() == null ? profile.model() : t.model()));
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("source", "SIMULATED by tokensiege's built-in simulator (not a real server)");
            p.put("speed", t.simulated().speed());
            p.put("profile", Json.MAPPER.convertValue(profile, Map.class));
            settings.put(t.name(), p);
        }
        this.plan = original.withTargets(targets);
        provenance.put("server_settings", settings);
    }

    @Override
    public void close() {
        servers.forEach(SimulatorServer::close);
    }
}
