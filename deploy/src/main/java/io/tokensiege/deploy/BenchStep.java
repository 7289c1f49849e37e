package io.tokensiege.deploy;

import io.tokensiege.common.plan.Target;
import io.tokensiege.common.plan.Timeouts;
import io.tokensiege.common.protocol.AssignStep;
import io.tokensiege.common.protocol.RecordAssembly;
import io.tokensiege.common.protocol.RecordChunk;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.protocol.StartStep;
import io.tokensiege.common.protocol.StepFinished;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.common.protocol.ToCoordinator;
import io.tokensiege.common.protocol.WorkerReady;
import io.tokensiege.simulator.engine.EngineConfig;
import io.tokensiege.simulator.http.SimulatorServer;
import io.tokensiege.simulator.profile.FaultConfig;
import io.tokensiege.simulator.profile.Profile;
import io.tokensiege.worker.WorkerAgent;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** A bench's step: an in-process simulator streaming at a fixed rate, and one worker agent running a closed loop against it. */
final class BenchStep {
    private BenchStep() {}

    /** A simulator on {@code vertx} with {@code slots} slots, decode steps of 1/tokensPerSecond (that many tok/s per stream), fast prefill. */
    static SimulatorServer startSimulator(Vertx vertx, int slots, int tokensPerSecond) throws Exception {
        Profile profile = new Profile("bench", "bench", "bench-model", 1, new EngineConfig(slots, Math.max(1, 1000 / tokensPerSecond), 0, 1_000_000, 0, 0, 0, 64, 0, 16,
                0, 0, 0, "reasoning"), FaultConfig.NONE);
        return SimulatorServer.start(vertx, profile, "127.0.0.1", 0, 1).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** A closed loop of {@code streams} streams against {@code sim}: 100 tokens per request, a 3 s ramp, then {@code durationMillis} measured. */
    static StepSpec closedStep(SimulatorServer sim, int streams, long durationMillis) {
        return closedStep(sim.port(), streams, durationMillis);
    }

    /** The same against a bench simulator listening on {@code port} of loopback. */
    static StepSpec closedStep(int port, int streams, long durationMillis) {
        Target target = new Target("sim", "http://127.0.0.1:" + port + "/v1", "bench-model", null, Map.of(), Map.of(), null);
        return new StepSpec("bench-" + streams, 0, StepKind.CLOSED, target, "bench", streams, 1, 0, durationMillis, 3000, 0, 100, 0.0, 32, true, 0,
                List.of(), Timeouts.DEFAULT, 1, "bench", null, null, null);
    }

    /**
     * Runs {@code step} on an in-process worker agent and returns its finished share, records put back together.
     *
     * @param also       sees every message the worker sends (on the worker's threads)
     * @param beforeStart runs once the worker is ready, just before the start
     */
    static StepFinished run(Vertx workerVertx, StepSpec step, int streams, Consumer<ToCoordinator> also, Runnable beforeStart)
            throws Exception {
        CompletableFuture<Void> ready = new CompletableFuture<>();
        CompletableFuture<StepFinished> done = new CompletableFuture<>();
        RecordAssembly assembly = new RecordAssembly(); // records come in chunks, just before the StepFinished that counts them
        WorkerAgent agent = new WorkerAgent(workerVertx, "bench", new SecretBox("bench"), m -> {
            also.accept(m);
            if (m instanceof WorkerReady) ready.complete(null);
            if (m instanceof RecordChunk rc) assembly.add(rc);
            if (m instanceof StepFinished f) done.complete(assembly.complete(f).finished());
        }, io.tokensiege.common.security.TargetAllowList.ANY);
        agent.onMessage(new AssignStep("bench", step.stepId(), "bench", step, streams, 0, null));
        ready.get(120, TimeUnit.SECONDS);
        beforeStart.run();
        agent.onMessage(new StartStep("bench", step.stepId(), (System.currentTimeMillis() + 200) * 1000));
        return done.get((step.rampMillis() + step.durationMillis()) / 1000 + 300L, TimeUnit.SECONDS);
    }
}
