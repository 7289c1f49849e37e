package io.tokensiege.worker;

import io.tokensiege.common.plan.Target;
import io.tokensiege.common.plan.Timeouts;
import io.tokensiege.common.protocol.AssignStep;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.protocol.StartStep;
import io.tokensiege.common.protocol.StepFinished;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.common.protocol.ToCoordinator;
import io.tokensiege.common.protocol.WorkerReady;
import io.tokensiege.simulator.http.SimulatorServer;
import io.tokensiege.simulator.profile.Profile;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs single steps through a real {@link WorkerAgent} against an in-JVM simulator. */
final class SimulatorHarness implements AutoCloseable {
    final Vertx vertx = Vertx.vertx();
    /** The simulator gets its own Vert.x, as a separate server process would: no shared event loops. */
    private final Vertx simVertx = Vertx.vertx();
    final SimulatorServer sim;
    private final SecretBox secrets = new SecretBox("test-token");

    SimulatorHarness(Profile profile, double speed) throws Exception {
        sim = SimulatorServer.start(simVertx, profile, "127.0.0.1", 0, speed).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    Target target(Map<String, String> headers) {
        return new Target("sim", "http://127.0.0.1:" + sim.port() + "/v1", sim.profile().model(), null, headers, Map.of(), null);
    }

    static StepSpec step(Target target, StepKind kind, int concurrency, int requests, long durationMillis, long rampMillis, int maxTokens, Timeouts timeouts) {
        return new StepSpec("step-1", 0, kind, target, "test", concurrency, 1, requests, durationMillis, rampMillis, 0, maxTokens, 0.0,
                64, true, 0, List.of(), timeouts, 7, "nonce", null, null, null);
    }

    /** Unmeasured requests first, as every run does: neither JVM should measure its own class loading. */
    void warmUp() throws Exception {
        // A few seconds of concurrent traffic lets the JIT settle (on 2 cores its compiler threads compete
        // with both event loops); full-length requests exercise a reasoning model's answer channel too.
        run(step(target(Map.of()), StepKind.CLOSED, 16, 0, 3_000, 0, 100, Timeouts.DEFAULT), 16, 60);
        run(step(target(Map.of()), StepKind.SEQUENTIAL, 1, 3, 0, 0, 100, Timeouts.DEFAULT), 1, 60);
    }

    /** Assigns, waits for ready, starts, and returns the worker's StepFinished. */
    StepFinished run(StepSpec step, int streams, long timeoutSeconds) throws Exception {
        return runStep(vertx, secrets, step, streams, timeoutSeconds);
    }

    /** Runs one step through a real {@link WorkerAgent} on {@code vertx}, against whatever server the step targets. */
    static StepFinished runStep(Vertx vertx, SecretBox secrets, StepSpec step, int streams, long timeoutSeconds) throws Exception {
        CompletableFuture<Void> ready = new CompletableFuture<>();
        CompletableFuture<StepFinished> finished = new CompletableFuture<>();
        io.tokensiege.common.protocol.RecordAssembly assembly = new io.tokensiege.common.protocol.RecordAssembly(); // records come in chunks first
        WorkerAgent agent = new WorkerAgent(vertx, "w1", secrets, (ToCoordinator m) -> {
            if (m instanceof WorkerReady) ready.complete(null);
            if (m instanceof io.tokensiege.common.protocol.RecordChunk rc) assembly.add(rc);
            if (m instanceof StepFinished f) finished.complete(assembly.complete(f).finished());
        }, List.of());
        agent.onMessage(new AssignStep("run", step.stepId(), "w1", step, streams, 0, null));
        ready.get(30, TimeUnit.SECONDS);
        agent.onMessage(new StartStep("run", step.stepId(), (System.currentTimeMillis() + 50) * 1000));
        return finished.get(timeoutSeconds, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        sim.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        simVertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
