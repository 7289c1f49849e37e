package io.tokensiege.simulator.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokensiege.simulator.engine.PromptTokenizer;
import io.tokensiege.simulator.engine.RealTimeDriver;
import io.tokensiege.simulator.engine.SimRequest;
import io.tokensiege.simulator.engine.TextGenerator;
import io.tokensiege.simulator.profile.Profile;
import io.tokensiege.simulator.tools.PlannedCall;
import io.tokensiege.simulator.tools.ToolAnswers;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An OpenAI-compatible server in front of a simulated engine: {@code GET /v1/models},
 * {@code POST /v1/chat/completions} (streaming and not), the endpoints and HTTP habits of the server its
 * profile's personality imitates (see {@link ServerHabits}), and the simulator's own
 * {@code GET /sim/requests} (ground truth), {@code GET /sim/profile} (its settings, for provenance).
 * Every response carries {@code x-simulated: true}.
 */
public final class SimulatorServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Vertx vertx;
    private final Profile profile;
    private final PromptTokenizer tokenizer;
    private final RealTimeDriver driver;
    private final GroundTruthLog truthLog;
    private final WriteLag writeLag;
    private final ServerHabits habits;
    private final StreamServices streamServices;
    private final ToolAnswers toolAnswers;
    private final AtomicLong ids = new AtomicLong();
    /** Requests accepted and not yet finished (running or queued): exact, so the 429 limit is too. */
    private final AtomicInteger inSystem = new AtomicInteger();
    private volatile int port;
    private volatile String deploymentId;

    private SimulatorServer(Vertx vertx, Profile profile, double speed, int truthCapacity) {
        this.vertx = vertx;
        this.profile = profile;
        this.tokenizer = new PromptTokenizer(profile.server().charsPerToken());
        this.driver = new RealTimeDriver(profile.engine(), tokenizer, speed, "sim-engine-" + profile.name());
        this.truthLog = new GroundTruthLog(truthCapacity);
        this.writeLag = new WriteLag(driver::realNanosOf);
        ServedCounters served = new ServedCounters();
        this.habits = ServerHabits.of(new ServerHabits.Facts(profile, tokenizer, served, driver::iterations));
        this.streamServices = new StreamServices(new TextGenerator(profile.seed()), new WriteBatcher(), writeLag, served, habits);
        this.toolAnswers = new ToolAnswers(profile.tools(), profile.seed(), profile.server().charsPerToken());
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
                .setPerMessageWebSocketCompressionSupported(false).setPerFrameWebSocketCompressionSupported(false) // no WebSocket handler on every token write
                .setHttp2ClearTextEnabled(false); // HTTP/1.1 only, as the servers it imitates: a JDK client's h2c upgrade is ignored
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

    /** One HTTP server on the verticle's own event loop, closing idle connections when the profile says so. */
    private static final class Listener extends VerticleBase {
        private final SimulatorServer sim;
        private final HttpServerOptions options;

        Listener(SimulatorServer sim, HttpServerOptions options) {
            this.sim = sim;
            this.options = options;
        }

        @Override
        public Future<?> start() {
            HttpServer server = vertx.createHttpServer(options);
            long idleCloseMs = sim.profile.server().idleCloseMs();
            if (idleCloseMs > 0) {
                IdleCloser closer = new IdleCloser(vertx, idleCloseMs);
                server.connectionHandler(closer::opened).requestHandler(req -> {
                    closer.track(req);
                    sim.handle(req);
                });
            } else {
                server.requestHandler(sim::handle);
            }
            return server.listen().onSuccess(s -> sim.port = s.actualPort());
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
        habits.everyResponse(req);
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
        else if (!habits.route(req)) {
            List<String> paths = new ArrayList<>(List.of("GET /v1/models", "POST /v1/chat/completions"));
            paths.addAll(habits.ownPaths());
            habits.error(req, 404, "Unknown path " + req.method() + " " + path + "; this simulated "
                    + profile.server().personality().label() + " server serves " + String.join(", ", paths) + ".", "invalid_request_error", null, "not_found");
        }
    }

    private void chat(HttpServerRequest req, Buffer body, long received) {
        ChatRequest chat;
        FaultPlan fault;
        try {
            chat = ChatRequest.parse(body.getBytes(), habits);
            String header = req.getHeader("x-sim-fault");
            long id = ids.incrementAndGet();
            fault = header != null ? FaultPlan.fromHeader(header) : FaultPlan.draw(profile.faults(), profile.seed(), id);
            if (habits.refusesOtherModels() && !chat.model().equals(profile.model())) {
                habits.error(req, 404, "The model '" + chat.model() + "' does not exist; this simulator serves '" + profile.model() + "'.",
                        "invalid_request_error", "model", "model_not_found");
                return;
            }
            ChatRequest fitted = fitContext(req, chat, fault, id, received);
            if (fitted != null) serve(req, fitted, fault, id, received);
        } catch (ChatRequest.BadRequest e) {
            habits.error(req, 400, e.getMessage(), "invalid_request_error", e.param, null);
        } catch (IllegalArgumentException e) {
            habits.error(req, 400, e.getMessage(), "invalid_request_error", "x-sim-fault", null);
        }
    }

    /** A prompt over the context: truncated (Ollama) and served, or refused (null) in the server's words. */
    private ChatRequest fitContext(HttpServerRequest req, ChatRequest chat, FaultPlan fault, long id, long received) {
        int limit = profile.server().contextTokens();
        if (limit == 0 || chat.promptTokens() <= limit) return chat;
        if (habits.truncatesLongPrompts()) return habits.truncate(chat, limit);
        GroundTruth truth = new GroundTruth(id, fault.label(), chat.promptTokens(), chat.promptTokens(), chat.maxTokens(), received);
        truth.outcome = "400";
        truthLog.add(truth);
        req.response().putHeader("x-sim-request-id", Long.toString(id));
        habits.refuseContext(req, chat.promptTokens(), limit);
        return null;
    }

    private void serve(HttpServerRequest req, ChatRequest served, FaultPlan fault, long id, long received) {
        ChatPrompt prompt = served.prompt();
        PlannedCall call = toolAnswers.plan(served.promptText(), prompt.tools(), prompt.toolChoice(), prompt.answersToolResult());
        AnswerPlan plan = AnswerPlan.of(call, served.maxTokens(), profile.engine().reasoningTokens());
        GroundTruth truth = new GroundTruth(id, fault.label(), served.promptTokens(), served.requestedPromptTokens(), plan.tokens(), received);
        if (prompt.answersToolResult()) truth.answeredToolCallId = prompt.messages().get(prompt.messages().size() - 1).toolCallId();
        if (plan.callsTool()) {
            truth.toolCallId = call.id();
            truth.toolCallName = call.name();
            truth.toolCallMalformed = call.malformed();
        }
        truthLog.add(truth);
        req.response().putHeader("x-sim-request-id", Long.toString(id));
        int limit = profile.faults().maxQueue();
        // The queue is what waits beyond the slots: refuse when running + queued would exceed slots + max_queue.
        boolean overQueue = limit > 0 && inSystem.incrementAndGet() > profile.engine().slots() + limit;
        if (overQueue) inSystem.decrementAndGet();
        if (fault.kind() == FaultPlan.Kind.HTTP_429 || overQueue) {
            truth.outcome = "429";
            req.response().putHeader("retry-after", "1");
            habits.error(req, 429, "The server is busy (queue limit reached); retry later.", "rate_limit_error", null, "rate_limited");
            return;
        }
        if (fault.kind() == FaultPlan.Kind.HTTP_500) {
            if (limit > 0) inSystem.decrementAndGet();
            truth.outcome = "500";
            habits.error(req, 500, "Simulated internal error.", "server_error", null, null);
            return;
        }
        Runnable onLeftSystem = limit > 0 ? inSystem::decrementAndGet : () -> {};
        CompletionStream stream = new CompletionStream(vertx, req, served, plan, truth, fault, streamServices, onLeftSystem, () -> driver.cancel(id));
        stream.start();
        driver.submit(new SimRequest(id, served.promptText(), served.promptTokens(), plan.tokens(), stream::answerText), stream);
    }

    private void models(HttpServerRequest req) {
        ObjectNode root = JSON.createObjectNode().put("object", "list");
        ObjectNode entry = root.putArray("data").addObject().put("id", profile.model()).put("object", "model").put("created", 0)
                .put("owned_by", "tokensiege-simulator (simulated)");
        habits.describeModel(entry);
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
            if (t.requestedPromptTokens != t.promptTokens) n.put("requested_prompt_tokens", t.requestedPromptTokens);
            n.put("preemptions", t.preemptions());
            if (t.preemptions() > 0) {
                ArrayNode preemptedAfter = n.putArray("preempted_after_tokens");
                t.preemptedAfterTokens().forEach(preemptedAfter::add);
                n.put("paused_ms", t.pausedMs()); // simulated time
            }
            n.put("answer", t.toolCallName() == null ? "content" : "tool_call");
            if (t.toolCallName() != null) {
                n.putObject("tool_call").put("id", t.toolCallId()).put("name", t.toolCallName()).put("malformed", t.toolCallMalformed());
            }
            if (t.queueWaitMs() >= 0) n.put("queue_wait_ms", t.queueWaitMs()); // simulated time
            if (t.promptMs() >= 0) n.put("prompt_ms", t.promptMs());
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
