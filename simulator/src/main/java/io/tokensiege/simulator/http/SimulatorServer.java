package io.tokensiege.simulator.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokensiege.simulator.engine.PromptTokenizer;
import io.tokensiege.simulator.engine.RealTimeDriver;
import io.tokensiege.simulator.engine.TextGenerator;
import io.tokensiege.simulator.profile.Profile;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;

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
    private final ChatCompletions chats;
    private final SimEndpoints simEndpoints;
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
        StreamServices streamServices = new StreamServices(new TextGenerator(profile.seed()), new WriteBatcher(), writeLag, served, habits);
        this.chats = new ChatCompletions(vertx, profile, driver, truthLog, habits, streamServices);
        this.simEndpoints = new SimEndpoints(profile, truthLog, driver::speed);
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
            req.body().onSuccess(b -> vertx.runOnContext(v -> chats.chat(req, b, received)));
        }
        else if (req.method() == HttpMethod.GET && path.equals("/sim/requests")) simEndpoints.requests(req);
        else if (req.method() == HttpMethod.GET && path.equals("/sim/profile")) simEndpoints.profile(req);
        else if (!habits.route(req)) {
            List<String> paths = new ArrayList<>(List.of("GET /v1/models", "POST /v1/chat/completions"));
            paths.addAll(habits.ownPaths());
            habits.error(req, 404, "Unknown path " + req.method() + " " + path + "; this simulated "
                    + profile.server().personality().label() + " server serves " + String.join(", ", paths) + ".", "invalid_request_error", null, "not_found");
        }
    }

    private void models(HttpServerRequest req) {
        ObjectNode root = JSON.createObjectNode().put("object", "list");
        ObjectNode entry = root.putArray("data").addObject().put("id", profile.model()).put("object", "model").put("created", 0)
                .put("owned_by", "tokensiege-simulator (simulated)");
        habits.describeModel(entry);
        req.response().putHeader("content-type", "application/json").end(root.toString());
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
