package io.tokensiege.deploy;

import io.tokensiege.common.plan.Plan;
import io.tokensiege.common.plan.Target;
import io.tokensiege.common.json.Json;
import io.tokensiege.simulator.http.SimulatorServer;
import io.tokensiege.simulator.http.WriteLag;
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
    private final Map<String, SimulatorServer> servers = new LinkedHashMap<>();

    SimulatedTargets(Vertx vertx, Plan original) throws Exception {
        List<Target> targets = new ArrayList<>();
        Map<String, Object> settings = new LinkedHashMap<>();
        for (Target t : original.targets()) {
            if (!t.isSimulated()) {
                targets.add(t);
                continue;
            }
            Profile profile;
            try {
                profile = Profiles.load(t.simulated().profile(), t.simulated().set());
            } catch (IllegalArgumentException e) {
                throw new InvalidInput("target '" + t.name() + "' (simulated): " + e.getMessage() + "; check its simulated.set fields");
            }
            SimulatorServer server = SimulatorServer.start(vertx, profile, "127.0.0.1", 0, t.simulated().speed())
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            servers.put(t.name(), server);
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

    /**
     * One line per simulated target that wrote its tokens late (p99 over the whole run above
     * {@link WriteLag.Interval#BEHIND_P99_MS} ms): this machine could not run it and the load at once, so its numbers
     * describe an overloaded simulator rather than its profile.
     */
    List<String> lateSimulators() {
        List<String> late = new ArrayList<>();
        servers.forEach((name, server) -> {
            WriteLag.Interval lag = server.writeLag().interval();
            if (lag.fellBehind()) {
                late.add(String.format(java.util.Locale.ROOT, "WARNING: simulated target '%s' wrote its tokens up to %.0f ms (p99) behind its own schedule: "
                        + "this machine was short of CPU for the simulator and the load together, so its figures are slower than its profile. "
                        + "Use fewer streams or run the simulator on another host (tokensiege simulate).", name, lag.p99Ms()));
            }
        });
        return late;
    }

    @Override
    public void close() {
        servers.values().forEach(SimulatorServer::close);
    }
}
