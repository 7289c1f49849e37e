package io.tokensiege.coordinator.web;

import io.tokensiege.common.json.Json;
import io.tokensiege.common.plan.Plan;
import io.tokensiege.common.plan.PlanException;
import io.tokensiege.common.plan.PlanOptions;
import io.tokensiege.common.plan.PlanReader;
import io.tokensiege.common.plan.PlanText;
import io.tokensiege.common.plan.Target;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.security.TargetAllowList;
import io.tokensiege.coordinator.cli.ExitCodes;
import io.tokensiege.coordinator.cluster.ClusterCoordinator;
import io.tokensiege.coordinator.report.ConsoleProgress;
import io.tokensiege.coordinator.report.RunDirectory;
import io.tokensiege.coordinator.report.SummaryTable;
import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.coordinator.run.Failure;
import io.tokensiege.coordinator.run.RunListener;
import io.tokensiege.coordinator.run.RunOrchestrator;
import io.tokensiege.coordinator.run.RunOutcome;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The coordinator's REST API: {@code POST /api/runs} (a plan's YAML) starts a run over the cluster's
 * workers, {@code GET /api/runs/ID} follows it (progress lines, then the summary and exit code),
 * {@code DELETE /api/runs/current} aborts the run in progress (the client then follows it to its aborted outcome),
 * {@code GET /api/workers} lists who joined. One run at a time. Off loopback, every call needs the
 * cluster token as {@code Authorization: Bearer ...}. Also the web pages: {@code GET /} (the run in
 * progress, live, and every run of the data folder) and {@code GET /runs/NAME/report.html}; off
 * loopback they ask for the token once ({@code POST /login}) and keep a session cookie. On every address,
 * {@link CrossSiteGuard} refuses what a browser sends on another site's behalf, and idle connections are
 * closed after {@link Options#idleTimeoutSeconds()}, so half-open sockets cannot pile up.
 */
public final class RunApi {
    private final ClusterCoordinator cluster;
    private final Path dataRoot;
    private final String token;
    private final boolean requireToken;
    private final Options options;
    private final SecretBox secrets;
    private volatile CrossSiteGuard guard;
    private final AtomicReference<ActiveRun> current = new AtomicReference<>();
    private static final String SESSION_COOKIE = "tokensiege_session";
    private static final int MAX_LOGIN_BYTES = 4 * 1024;
    private static final int MAX_PLAN_BYTES = PlanText.MAX_BYTES;
    private static final long FOLLOWER_GRACE_MILLIS = 3_000;

    private static final class ActiveRun {
        final String id;
        final Path dir;
        final ByteArrayOutputStream progress;
        final AtomicReference<Map<String, Object>> live;
        final RunOrchestrator orchestrator;
        volatile RunOutcome outcome;
        volatile String summary;
        volatile String error;
        final java.util.concurrent.CompletableFuture<Void> ended = new java.util.concurrent.CompletableFuture<>();
        /** A client is following the run (it asked for its status): a stopping coordinator lets it read the end first. */
        volatile boolean followed;
        final java.util.concurrent.CompletableFuture<Void> endServed = new java.util.concurrent.CompletableFuture<>();

        ActiveRun(String id, Path dir, RunOrchestrator orchestrator, ByteArrayOutputStream progress, AtomicReference<Map<String, Object>> live) {
            this.live = live;
            this.id = id;
            this.dir = dir;
            this.orchestrator = orchestrator;
            this.progress = progress;
        }

        String status() {
            return error != null ? "failed" : outcome != null ? outcome.status() : "running";
        }

        List<String> progressLines() {
            return progress.toString(StandardCharsets.UTF_8).lines().toList();
        }
    }

    /**
     * @param requireToken       every call needs the cluster token (the coordinator is reachable off loopback)
     * @param allowTargets       plans whose targets fall outside are refused before anything runs
     * @param idleTimeoutSeconds a connection with no traffic this long is closed
     * @param planOptions        what the operator allows plans beyond their rules (e.g. --allow-key-env)
     */
    public record Options(boolean requireToken, TargetAllowList allowTargets, int idleTimeoutSeconds, PlanOptions planOptions) {
        public static final int DEFAULT_IDLE_TIMEOUT_SECONDS = 30;

        public Options(boolean requireToken) {
            this(requireToken, TargetAllowList.ANY, DEFAULT_IDLE_TIMEOUT_SECONDS, PlanOptions.DEFAULT);
        }
    }

    public RunApi(ClusterCoordinator cluster, Path dataRoot, String token, boolean requireToken) {
        this(cluster, dataRoot, token, new Options(requireToken));
    }

    /** {@code planOptions}: what the operator allows plans beyond their rules (e.g. --allow-key-env). */
    public RunApi(ClusterCoordinator cluster, Path dataRoot, String token, boolean requireToken, PlanOptions planOptions) {
        this(cluster, dataRoot, token, new Options(requireToken, TargetAllowList.ANY, Options.DEFAULT_IDLE_TIMEOUT_SECONDS, planOptions));
    }

    public RunApi(ClusterCoordinator cluster, Path dataRoot, String token, Options options) {
        this.cluster = cluster;
        this.dataRoot = dataRoot;
        this.token = token;
        this.requireToken = options.requireToken();
        this.options = options;
        this.secrets = new SecretBox(token);
    }

    /** Listens on {@code host} (an address literal; it is also the one Host name accepted besides the loopback names). */
    public Future<HttpServer> listen(Vertx vertx, String host, int port) {
        this.guard = new CrossSiteGuard(!requireToken, host);
        HttpServerOptions server = new HttpServerOptions().setHost(host).setPort(port).setIdleTimeout(options.idleTimeoutSeconds())
                .setIdleTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS);
        return vertx.createHttpServer(server).requestHandler(this::handle).listen();
    }

    private void handle(HttpServerRequest req) {
        String path = req.path();
        CrossSiteGuard.Refusal refusal = guard.check(req.method().name(), path, authority(req), req.getHeader("origin"), req.getHeader("content-type"));
        if (refusal != null) {
            reply(req, refusal.status(), Map.of("error", refusal.message()));
            return;
        }
        boolean get = req.method().name().equals("GET");
        if (get && (path.equals("/") || path.startsWith("/runs/"))) {
            page(req, path);
            return;
        }
        if (req.method().name().equals("POST") && path.equals("/login")) {
            boundedBody(req, MAX_LOGIN_BYTES, form -> login(req, form.toString(StandardCharsets.UTF_8))); // read before any auth: kept small
            return;
        }
        if (requireToken && !authorized(req.getHeader("authorization"))) {
            reply(req, 401, Map.of("error", "this coordinator needs its cluster token: Authorization: Bearer <token> (tokensiege run --token-file F)"));
            return;
        }
        if (req.method().name().equals("POST") && path.equals("/api/runs")) boundedBody(req, MAX_PLAN_BYTES, body -> submit(req, body.getBytes()));
        else if (req.method().name().equals("DELETE") && path.equals("/api/runs/current")) abort(req);
        else if (req.method().name().equals("GET") && path.startsWith("/api/runs/")) status(req, path.substring("/api/runs/".length()));
        else if (req.method().name().equals("GET") && path.equals("/api/workers")) reply(req, 200, Map.of("workers", cluster.describeWorkers()));
        else reply(req, 404, Map.of("error", "unknown path " + path + "; try POST /api/runs, GET /api/runs/ID, DELETE /api/runs/current, GET /api/workers"));
    }

    private void submit(HttpServerRequest req, byte[] yaml) {
        Plan plan;
        try {
            // bytes, not a string: invalid UTF-8 is refused with its offset instead of silently replaced
            plan = PlanReader.parse(yaml, req.getParam("file") == null ? "submitted plan" : req.getParam("file"), options.planOptions());
        } catch (PlanException e) {
            reply(req, 400, Map.of("error", "invalid plan", "errors", e.errors().stream().map(Object::toString).toList()));
            return;
        }
        List<String> outside = plan.targets().stream().filter(t -> !t.isSimulated() && options.allowTargets().refusal(t.url()) != null)
                .map(t -> "target '" + t.name() + "': " + options.allowTargets().refusal(t.url())).toList();
        if (!outside.isEmpty()) {
            reply(req, 400, Map.of("error", "the plan sends load outside this coordinator's --allow-target", "errors", outside));
            return;
        }
        if (plan.targets().stream().anyMatch(Target::isSimulated)) {
            reply(req, 400, Map.of("error", "simulated targets run in-process only: use 'tokensiege run PLAN --local', or start "
                    + "'tokensiege simulate' and give its url"));
            return;
        }
        if (cluster.workers().isEmpty()) {
            reply(req, 409, Map.of("error", "no worker has joined: start one with 'tokensiege worker --join HOST'"));
            return;
        }
        ActiveRun existing = current.get();
        if (existing != null && existing.status().equals("running")) {
            reply(req, 409, Map.of("error", "run " + existing.id + " is still running; one run at a time"));
            return;
        }
        try {
            RunDirectory dir = RunDirectory.create(dataRoot, plan.name(), Map.of("workers", cluster.describeWorkers()));
            ByteArrayOutputStream progress = new ByteArrayOutputStream();
            AtomicReference<Map<String, Object>> live = new AtomicReference<>();
            ConsoleProgress console = new ConsoleProgress(new PrintStream(progress, true, StandardCharsets.UTF_8), false);
            RunListener listener = new RunListener() {
                @Override
                public void onStepStarted(StepSpec step, int number, int of) {
                    console.onStepStarted(step, number, of);
                    live.set(null);
                }

                @Override
                public void onInterval(StepSpec step, LiveStats stats) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("step", step.label());
                    m.put("line", io.tokensiege.coordinator.report.LiveLine.format(stats));
                    m.put("elapsed_ms", stats.elapsedMillis());
                    m.put("expected_ms", stats.expectedMillis());
                    m.put("window_ms", stats.windowMillis());
                    m.put("ttft_p50_ms", stats.ttftP50Ms());
                    m.put("ttft_p95_ms", stats.ttftP95Ms());
                    m.put("output_tok_s", stats.outputTokS());
                    m.put("completed", stats.completed());
                    m.put("errors", stats.errors());
                    m.put("in_flight", stats.inFlight());
                    m.put("awaiting_first_token", stats.awaitingFirstToken());
                    m.put("queued", stats.queued());
                    live.set(m);
                }

                @Override
                public void onStepFinished(StepSpec step, StepResult result) {
                    console.onStepFinished(step, result);
                    live.set(null);
                }

                @Override
                public void onFailure(Failure failure) {
                    console.onFailure(failure);
                }
            };
            RunOrchestrator orchestrator = new RunOrchestrator(plan, dir.runId(), cluster::workers, dir, listener, secrets, RunOrchestrator.Settings.LAN);
            ActiveRun run = new ActiveRun(dir.runId(), dir.path(), orchestrator, progress, live);
            current.set(run);
            cluster.routeRunMessagesTo(orchestrator::onMessage);
            Thread t = new Thread(() -> {
                try {
                    RunOutcome o = orchestrator.execute();
                    run.summary = SummaryTable.markdown(plan, o.steps(), o.failures(), o.verdict(), o.serverNotes());
                    run.outcome = o;
                } catch (RuntimeException e) {
                    run.error = e.toString();
                } finally {
                    run.ended.complete(null);
                }
            }, "run-" + dir.runId());
            t.setDaemon(true);
            t.start();
            reply(req, 202, Map.of("run_id", run.id, "directory", dir.path().toAbsolutePath().toString()));
        } catch (Exception e) {
            reply(req, 500, Map.of("error", "cannot start the run: " + e.getMessage()));
        }
    }

    /** {@code DELETE /api/runs/current}: 202 and the run's id when one was running (follow it with GET /api/runs/ID), else 404. */
    private void abort(HttpServerRequest req) {
        ActiveRun run = current.get();
        if (run == null || !run.status().equals("running")) {
            reply(req, 404, Map.of("error", "no run in progress on this coordinator"));
            return;
        }
        run.orchestrator.abort("DELETE /api/runs/current");
        reply(req, 202, Map.of("run_id", run.id, "status", "aborting", "directory", run.dir.toAbsolutePath().toString()));
    }

    private void status(HttpServerRequest req, String id) {
        ActiveRun run = current.get();
        if (run == null || !run.id.equals(id)) {
            reply(req, 404, Map.of("error", "no run " + id + " on this coordinator"));
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("run_id", run.id);
        body.put("directory", run.dir.toAbsolutePath().toString());
        body.put("progress", run.progressLines());
        body.put("status", run.status());
        run.followed = true;
        if (!run.status().equals("running")) run.endServed.complete(null);
        if (run.error != null) {
            body.put("error", run.error);
            body.put("exit_code", ExitCodes.RUN_FAILED);
        } else if (run.outcome != null) {
            body.put("summary", run.summary);
            body.put("exit_code", ExitCodes.of(run.outcome));
        } else {
            Map<String, Object> now = run.live.get();
            if (now != null) body.put("live", now);
        }
        reply(req, 200, body);
    }

    /**
     * The web pages: read-only, so the session cookie (an HMAC of the token, never the token) may
     * open them; the API that starts runs still wants the token itself in a header.
     */
    private void page(HttpServerRequest req, String path) {
        if (requireToken && !authorized(req.getHeader("authorization")) && !hasSession(req)) {
            html(req, 401, WebUi.login(null));
            return;
        }
        if (path.equals("/")) {
            html(req, 200, WebUi.index(dataRoot, active()));
            return;
        }
        String rest = path.substring("/runs/".length());
        Path report = rest.endsWith("/report.html") ? WebUi.report(dataRoot, rest.substring(0, rest.length() - "/report.html".length())) : null;
        if (report == null) {
            html(req, 404, "<!DOCTYPE html><html><body><p>No such report. <a href=\"/\">All runs</a></p></body></html>");
            return;
        }
        securityHeaders(req).putHeader("content-type", "text/html; charset=utf-8").sendFile(report.toString());
    }

    /** The Host header's "host[:port]" (HTTP/2's :authority when the client upgraded), or null. */
    private static String authority(HttpServerRequest req) {
        io.vertx.core.net.HostAndPort a = req.authority();
        if (a == null) return null;
        String host = a.host().contains(":") && !a.host().startsWith("[") ? "[" + a.host() + "]" : a.host();
        return a.port() >= 0 ? host + ":" + a.port() : host;
    }

    /** The body, or 413 and a closed connection past {@code max} bytes: nobody makes the coordinator buffer gigabytes. */
    private static void boundedBody(HttpServerRequest req, int max, java.util.function.Consumer<io.vertx.core.buffer.Buffer> then) {
        io.vertx.core.buffer.Buffer body = io.vertx.core.buffer.Buffer.buffer();
        boolean[] tooLarge = {false};
        req.handler(chunk -> {
            if (tooLarge[0]) return;
            if (body.length() + chunk.length() > max) {
                tooLarge[0] = true;
                req.response().setStatusCode(413).putHeader("connection", "close").putHeader("content-type", "application/json")
                        .end(Json.write(Map.of("error", "request body larger than " + max + " bytes")))
                        .onComplete(v -> req.connection().close());
            } else {
                body.appendBuffer(chunk);
            }
        });
        req.endHandler(v -> {
            if (!tooLarge[0]) then.accept(body);
        });
    }

    private void login(HttpServerRequest req, String form) {
        String given = "";
        for (String pair : form.split("&")) {
            if (pair.startsWith("token=")) given = java.net.URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8);
        }
        if (!MessageDigest.isEqual(given.trim().getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))) {
            html(req, 401, WebUi.login("That is not this coordinator's cluster token."));
            return;
        }
        req.response().setStatusCode(303).putHeader("location", "/")
                .putHeader("set-cookie", SESSION_COOKIE + "=" + session() + "; HttpOnly; SameSite=Strict; Path=/").end();
    }

    private boolean hasSession(HttpServerRequest req) {
        io.vertx.core.http.Cookie c = req.getCookie(SESSION_COOKIE);
        return c != null && MessageDigest.isEqual(c.getValue().getBytes(StandardCharsets.UTF_8), session().getBytes(StandardCharsets.UTF_8));
    }

    private String session() {
        return java.util.HexFormat.of().formatHex(secrets.sign("tokensiege web session").getBytes(StandardCharsets.UTF_8));
    }

    private WebUi.Active active() {
        ActiveRun run = current.get();
        if (run == null) return null;
        return new WebUi.Active(run.id, run.status(), run.progressLines(), run.live.get());
    }

    private static io.vertx.core.http.HttpServerResponse securityHeaders(HttpServerRequest req) {
        return req.response().putHeader("content-security-policy", WebUi.CSP).putHeader("x-content-type-options", "nosniff")
                .putHeader("referrer-policy", "no-referrer");
    }

    private static void html(HttpServerRequest req, int status, String body) {
        securityHeaders(req).setStatusCode(status).putHeader("content-type", "text/html; charset=utf-8").end(body);
    }

    private boolean authorized(String header) {
        if (header == null || !header.startsWith("Bearer ")) return false;
        return MessageDigest.isEqual(header.substring(7).trim().getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
    }

    private static void reply(HttpServerRequest req, int status, Object body) {
        req.response().setStatusCode(status).putHeader("content-type", "application/json").end(Json.write(body));
    }

    /**
     * Aborts the run in progress, if any (SIGTERM to the coordinator, tests), and returns when it has ended and written what it
     * recorded, or after {@code waitMillis}. Returns the run's exit code, or -1 when no run was in progress.
     */
    public int abortCurrent(String reason, long waitMillis) {
        ActiveRun run = current.get();
        if (run == null || !run.status().equals("running")) return -1;
        run.orchestrator.abort(reason);
        try {
            run.ended.get(waitMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
            if (run.followed) run.endServed.get(FOLLOWER_GRACE_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS); // its client polls once a second
        } catch (java.util.concurrent.TimeoutException e) {
            return ExitCodes.RUN_FAILED; // what it wrote so far stays; the failure is the abort itself
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            return ExitCodes.RUN_FAILED;
        }
        return run.outcome == null ? ExitCodes.RUN_FAILED : ExitCodes.of(run.outcome);
    }
}
