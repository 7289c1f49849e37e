package io.tokensiege.simulator.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokensiege.simulator.engine.RealTimeDriver;
import io.tokensiege.simulator.engine.SimRequest;
import io.tokensiege.simulator.engine.TextGenerator;
import io.tokensiege.simulator.profile.Profile;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An OpenAI-compatible server in front of a simulated engine: {@code GET /v1/models},
 * {@code POST /v1/chat/completions} (streaming and not), and the simulator's own
 * {@code GET /sim/requests} (ground truth), {@code GET /sim/profile} (its settings, for provenance).
 * Every response carries {@code x-simulated: true}.
 */
public final class SimulatorServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Vertx vertx;
    private final Profile profile;
    private final RealTimeDriver driver;
    private final GroundTruthLog truthLog;
    private final TextGenerator text;
    private final WriteBatcher batcher = new WriteBatcher();
    private final WriteLag writeLag;
    private final AtomicLong ids = new AtomicLong();
    /** Requests accepted and not yet finished (running or queued): exact, so the 429 limit is too. */
    private final AtomicInteger inSystem = new AtomicInteger();
    private volatile int port;
    private volatile String deploymentId;

    private SimulatorServer(Vertx vertx, Profile profile, double speed, int truthCapacity) {
        this.vertx = vertx;
        this.profile = profile;
        this.driver = new RealTimeDriver(profile.engine(), speed, "sim-engine-" + profile.name());
        this.truthLog = new GroundTruthLog(truthCapacity);
        this.text = new TextGenerator(profile.seed());
        this.writeLag = new WriteLag(driver::realNanosOf);
    }

    /**
     * Starts a simulator on {@code host:port} (port 0 = ephemeral); {@code speed} compresses simulated time.
     * One HTTP server per core, each deployed as its own verticle so each gets its own event loop, shares
     * the port: connections spread over every loop instead of queueing on one.
     */
    public static Future<SimulatorServer> start(Vertx vertx, Profile profile, String host, int port, double speed) {
        SimulatorServer sim = new SimulatorServer(vertx, profile, speed, 20_000);
        int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
        int bindPort;
        try {
            bindPort = port != 0 ? port : freePort(host); // Vert.x shares a port only among servers asking for the same number
        } catch (java.io.IOException e) {
            return Future.failedFuture(e);
        }
        HttpServerOptions options = new HttpServerOptions().setHost(host).setPort(bindPort).setTcpNoDelay(true).setAcceptBacklog(8192)
                .setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false); // no WebSocket handler on every token write
        return vertx.deployVerticle(() -> new Listener(sim, options), new DeploymentOptions().setInstances(instances))
                .map(id -> {
                    sim.deploymentId = id;
                    return sim;
                });
    }

    private static int freePort(String host) throws java.io.IOException {
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(host))) {
            return probe.getLocalPort();
        }
    }

    /** One HTTP server on the verticle's own event loop. */
    private static final class Listener extends VerticleBase {
        private final SimulatorServer sim;
        private final HttpServerOptions options;

        Listener(SimulatorServer sim, HttpServerOptions options) {
            this.sim = sim;
            this.options = options;
        }

        @Override
        public Future<?> start() {
            return vertx.createHttpServer(options).requestHandler(sim::handle).listen().onSuccess(s -> sim.port = s.actualPort());
        }
    }

    public int port() {
        return port;
    }

    public Profile profile() {
        return profile;
    }

    public double speed() {
        return driver.speed();
    }

    public GroundTruthLog groundTruth() {
        return truthLog;
    }

    /** How late tokens left compared with the engine's schedule: whether the simulator itself kept up. */
    public WriteLag writeLag() {
        return writeLag;
    }

    private void handle(HttpServerRequest req) {
        req.response().putHeader("x-simulated", "true");
        String path = req.path();
        if (req.method() == HttpMethod.GET && path.equals("/v1/models")) models(req);
        else if (req.method() == HttpMethod.POST && path.equals("/v1/chat/completions")) {
            long received = System.nanoTime(); // ground truth starts when the request arrives, before any parsing
            // Parsed after this loop has read (and stamped) every other request ready now: in a burst, the last request's
            // arrival would otherwise be stamped only after all the earlier ones were parsed.
            req.body().onSuccess(b -> vertx.runOnContext(v -> chat(req, b, received)));
        }
        else if (req.method() == HttpMethod.GET && path.equals("/sim/requests")) requests(req);
        else if (req.method() == HttpMethod.GET && path.equals("/sim/profile")) profileJson(req);
        else error(req, 404, "Unknown path " + req.method() + " " + path + "; the simulator serves /v1/models and /v1/chat/completions.",
                    "invalid_request_error", null, "not_found");
    }

    private void chat(HttpServerRequest req, Buffer body, long received) {
        ChatRequest chat;
        FaultPlan fault;
        try {
            chat = ChatRequest.parse(body.getBytes());
            String header = req.getHeader("x-sim-fault");
            long id = ids.incrementAndGet();
            fault = header != null ? FaultPlan.fromHeader(header) : FaultPlan.draw(profile.faults(), profile.seed(), id);
            if (!chat.model().equals(profile.model())) {
                error(req, 404, "The model '" + chat.model() + "' does not exist; this simulator serves '" + profile.model() + "'.",
                        "invalid_request_error", "model", "model_not_found");
                return;
            }
            serve(req, chat, fault, id, received);
        } catch (ChatRequest.BadRequest e) {
            error(req, 400, e.getMessage(), "invalid_request_error", e.param, null);
        } catch (IllegalArgumentException e) {
            error(req, 400, e.getMessage(), "invalid_request_error", "x-sim-fault", null);
        }
    }

    private void serve(HttpServerRequest req, ChatRequest chat, FaultPlan fault, long id, long received) {
        GroundTruth truth = new GroundTruth(id, fault.label(), chat.promptTokens(), chat.maxTokens(), received);
        truthLog.add(truth);
        req.response().putHeader("x-sim-request-id", Long.toString(id));
        int limit = profile.faults().maxQueue();
        // The queue is what waits beyond the slots: refuse when running + queued would exceed slots + max_queue.
        boolean overQueue = limit > 0 && inSystem.incrementAndGet() > profile.engine().slots() + limit;
        if (overQueue) inSystem.decrementAndGet();
        if (fault.kind() == FaultPlan.Kind.HTTP_429 || overQueue) {
            truth.outcome = "429";
            req.response().putHeader("retry-after", "1");
            error(req, 429, "The server is busy (queue limit reached); retry later.", "rate_limit_error", null, "rate_limited");
            return;
        }
        if (fault.kind() == FaultPlan.Kind.HTTP_500) {
            if (limit > 0) inSystem.decrementAndGet();
            truth.outcome = "500";
            error(req, 500, "Simulated internal error.", "server_error", null, null);
            return;
        }
        Runnable onLeftSystem = limit > 0 ? inSystem::decrementAndGet : () -> {};
        CompletionStream stream = new CompletionStream(vertx, req.response(), chat, truth, fault, text,
                profile.engine().reasoningField(), onLeftSystem, () -> driver.cancel(id), batcher, writeLag);
        stream.start();
        driver.submit(new SimRequest(id, chat.promptText(), chat.promptTokens(), chat.maxTokens()), stream);
    }

    private void models(HttpServerRequest req) {
        ObjectNode root = JSON.createObjectNode().put("object", "list");
        root.putArray("data").addObject().put("id", profile.model()).put("object", "model").put("created", 0)
                .put("owned_by", "tokensiege-simulator (simulated)");
        req.response().putHeader("content-type", "application/json").end(root.toString());
    }

    private void requests(HttpServerRequest req) {
        long after = parseLong(req.getParam("after"), 0);
        ObjectNode root = JSON.createObjectNode().put("simulated", true);
        ArrayNode list = root.putArray("requests");
        for (GroundTruth t : truthLog.since(after)) {
            ObjectNode n = list.addObject().put("id", t.id).put("fault", t.fault).put("outcome", t.outcome())
                    .put("prompt_tokens", t.promptTokens).put("cached_tokens", t.cachedTokens())
                    .put("received_nanos", t.receivedNanos).put("admitted_nanos", t.admittedNanos())
                    .put("end_nanos", t.endNanos());
            long[] flushes = t.tokenFlushNanos();
            n.put("tokens", flushes.length);
            if (flushes.length > 0) {
                n.put("first_token_nanos", flushes[0]).put("last_token_nanos", flushes[flushes.length - 1])
                        .put("server_ttft_micros", (flushes[0] - t.receivedNanos) / 1000);
            }
        }
        req.response().putHeader("content-type", "application/json").end(root.toString());
    }

    private void profileJson(HttpServerRequest req) {
        ObjectNode root = JSON.valueToTree(profile);
        root.put("simulated", true).put("speed", driver.speed());
        req.response().putHeader("content-type", "application/json").end(root.toString());
    }

    private static void error(HttpServerRequest req, int status, String message, String type, String param, String code) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode err = root.putObject("error").put("message", message).put("type", type);
        if (param != null) err.put("param", param); else err.putNull("param");
        if (code != null) err.put("code", code); else err.putNull("code");
        req.response().setStatusCode(status).putHeader("content-type", "application/json").end(root.toString());
    }

    private static long parseLong(String s, long fallback) {
        try {
            return s == null ? fallback : Long.parseLong(s);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    @Override
    public void close() {
        driver.close();
        if (deploymentId == null) return;
        Future<Void> undeployed = vertx.undeploy(deploymentId); // closes every listener
        if (io.vertx.core.Context.isOnEventLoopThread()) return; // never block a loop
        try { // wait, so a Vert.x closed right after does not undeploy it a second time
            undeployed.toCompletionStage().toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // closing anyway: the listeners go when their Vert.x closes
        }
    }
}
