package io.tokensiege.coordinator.web;

import io.tokensiege.common.plan.PlanOptions;
import io.tokensiege.common.plan.PlanText;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.security.TargetAllowList;
import io.tokensiege.coordinator.cluster.ClusterCoordinator;
import io.tokensiege.coordinator.metrics.CoordinatorMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.HostAndPort;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The coordinator's HTTP server: this class routes, the rooms behind it each do one job ({@link WebAccess} who may,
 * {@link RunControl} the run lifecycle, {@link IndexPage} and {@link UiState} the page, {@link RunFiles} a run's files,
 * {@link StaticAssets} the script and chart library, {@link CoordinatorMetrics} {@code /metrics}).
 * <ul>
 *   <li>API (the token off loopback): {@code POST /api/runs} (a plan's YAML) starts a run, {@code GET /api/runs/ID}
 *   follows it, {@code DELETE /api/runs/current} stops it, {@code GET /api/workers} lists who joined.</li>
 *   <li>Pages (the token or the session cookie off loopback): {@code GET /}, {@code GET /ui/state.json} (polled by the
 *   page), {@code GET /runs/NAME/FILE}, and the forms {@code POST /ui/runs} and {@code POST /ui/runs/stop} (CSRF token).</li>
 *   <li>{@code GET /metrics} for Prometheus (the token off loopback, as a bearer token), {@code GET /assets/*}.</li>
 * </ul>
 * On every address {@link CrossSiteGuard} refuses what a browser sends on another site's behalf, and idle connections
 * are closed after {@link Options#idleTimeoutSeconds()}, so half-open sockets cannot pile up.
 */
public final class RunApi {
    private static final int MAX_LOGIN_BYTES = 4 * 1024;
    private static final int MAX_PLAN_BYTES = PlanText.MAX_BYTES;
    private static final int MAX_FORM_BYTES = 3 * PlanText.MAX_BYTES + 4096; // URL-encoding triples a byte at worst

    private final ClusterCoordinator cluster;
    private final Path dataRoot;
    private final Options options;
    private final WebAccess access;
    private final RunControl runs;
    private final CoordinatorMetrics metrics;
    private final StaticAssets assets = new StaticAssets();
    private volatile CrossSiteGuard guard;

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
        this.options = options;
        SecretBox secrets = new SecretBox(token);
        this.access = new WebAccess(token, options.requireToken(), secrets);
        this.metrics = new CoordinatorMetrics(cluster::describeWorkers);
        this.runs = new RunControl(cluster, dataRoot, secrets, options.allowTargets(), options.planOptions(), metrics);
    }

    /** Listens on {@code host} (an address literal; it is also the one Host name accepted besides the loopback names). */
    public Future<HttpServer> listen(Vertx vertx, String host, int port) {
        this.guard = new CrossSiteGuard(!options.requireToken(), host, access.csrfToken());
        // HTTP/1.1 only: Vert.x accepts h2c upgrades by default, and the JDK client then got GOAWAY on a refused oversized body
        HttpServerOptions server = new HttpServerOptions().setHost(host).setPort(port).setIdleTimeout(options.idleTimeoutSeconds())
                .setIdleTimeoutUnit(TimeUnit.SECONDS).setHttp2ClearTextEnabled(false);
        return vertx.createHttpServer(server).requestHandler(this::handle).listen();
    }

    private void handle(HttpServerRequest req) {
        String path = req.path();
        HttpMethod method = req.method();
        CrossSiteGuard.Refusal refusal = guard.check(method.name(), path, authority(req), req.getHeader("origin"), req.getHeader("content-type"));
        if (refusal != null) {
            Replies.json(req, refusal.status(), Map.of("error", refusal.message()));
        } else if (method == HttpMethod.GET && path.startsWith("/assets/")) {
            if (!assets.serve(req, path.substring("/assets/".length()))) Replies.json(req, 404, Map.of("error", "no asset " + path));
        } else if (method == HttpMethod.POST && path.equals("/login")) {
            Replies.boundedBody(req, MAX_LOGIN_BYTES, body -> login(req, formOrNull(req, body))); // read before any auth: kept small
        } else if (method == HttpMethod.GET && path.equals("/metrics")) {
            if (!access.mayUseApi(req)) unauthorized(req, "/metrics");
            else req.response().putHeader("content-type", CoordinatorMetrics.contentType()).end(metrics.scrape());
        } else if (path.equals("/") || path.startsWith("/ui/") || path.startsWith("/runs/")) {
            if (!access.mayUsePages(req)) Replies.html(req, 401, WebUi.login(null));
            else page(req, method, path);
        } else if (!access.mayUseApi(req)) {
            unauthorized(req, "the API");
        } else {
            api(req, method, path);
        }
    }

    private void api(HttpServerRequest req, HttpMethod method, String path) {
        if (method == HttpMethod.POST && path.equals("/api/runs")) {
            Replies.boundedBody(req, MAX_PLAN_BYTES, body -> {
                RunControl.Submission s = runs.start(body.getBytes(), req.getParam("file"));
                if (s instanceof RunControl.Started st) Replies.json(req, 202, Map.of("run_id", st.runId(), "directory", st.directory().toAbsolutePath().toString()));
                else if (s instanceof RunControl.Refused r) Replies.json(req, r.status(), r.errors().isEmpty() ? Map.of("error", r.error())
                        : Map.of("error", r.error(), "errors", r.errors()));
            });
        } else if (method == HttpMethod.DELETE && path.equals("/api/runs/current")) {
            RunControl.ActiveRun run = runs.current();
            if (runs.abort("DELETE /api/runs/current")) Replies.json(req, 202, Map.of("run_id", run.id, "status", "aborting", "directory", run.dir.toAbsolutePath().toString()));
            else Replies.json(req, 404, Map.of("error", "no run in progress on this coordinator"));
        } else if (method == HttpMethod.GET && path.startsWith("/api/runs/")) {
            String id = path.substring("/api/runs/".length());
            Map<String, Object> status = runs.status(id);
            if (status == null) Replies.json(req, 404, Map.of("error", "no run " + id + " on this coordinator"));
            else Replies.json(req, 200, status);
        } else if (method == HttpMethod.GET && path.equals("/api/workers")) {
            Replies.json(req, 200, Map.of("workers", cluster.describeWorkers()));
        } else {
            Replies.json(req, 404, Map.of("error", "unknown path " + path + "; try POST /api/runs, GET /api/runs/ID, DELETE /api/runs/current, GET /api/workers"));
        }
    }

    private void page(HttpServerRequest req, HttpMethod method, String path) {
        if (method == HttpMethod.GET && path.equals("/")) {
            Replies.html(req, 200, index(IndexPage.StartForm.EMPTY));
        } else if (method == HttpMethod.GET && path.equals("/ui/state.json")) {
            Replies.json(req, 200, UiState.of(runs.current(), cluster.describeWorkers()));
        } else if (method == HttpMethod.GET && path.startsWith("/runs/")) {
            RunFiles.Served file = RunFiles.resolve(dataRoot, path.substring("/runs/".length()));
            if (file == null) Replies.html(req, 404, WebUi.notFound("No such file of a run."));
            else Replies.secured(req).putHeader("content-type", file.contentType()).sendFile(file.file().toString());
        } else if (method == HttpMethod.POST && CrossSiteGuard.CSRF_FORMS.contains(path)) {
            Replies.boundedBody(req, MAX_FORM_BYTES, body -> {
                Map<String, String> form = formOrNull(req, body);
                if (form == null) return;
                CrossSiteGuard.Refusal refusal = guard.checkCsrf(form.get("csrf"));
                if (refusal != null) Replies.html(req, refusal.status(), WebUi.notFound(refusal.message()));
                else if (path.equals("/ui/runs/stop")) stop(req);
                else start(req, form);
            });
        } else {
            Replies.html(req, 404, WebUi.notFound("Nothing at " + path + "."));
        }
    }

    /** The start form: a refused plan comes back on the page with its errors, line by line, and the text as sent. */
    private void start(HttpServerRequest req, Map<String, String> form) {
        String text = form.getOrDefault("plan", "");
        String file = form.getOrDefault("file", "").strip();
        RunControl.Submission s = runs.start(text.getBytes(StandardCharsets.UTF_8), file.isEmpty() ? "pasted plan" : file);
        if (s instanceof RunControl.Refused r) Replies.html(req, r.status(), index(new IndexPage.StartForm(text, file, r.error(), r.errors())));
        else Replies.seeOther(req, "/");
    }

    private void stop(HttpServerRequest req) {
        runs.abort("stopped from the web page");
        Replies.seeOther(req, "/");
    }

    private String index(IndexPage.StartForm form) {
        return IndexPage.render(access.csrfToken(), runs.current(), cluster.describeWorkers(), RunList.rows(dataRoot), form);
    }

    private void login(HttpServerRequest req, Map<String, String> form) {
        if (form == null) return;
        if (!access.isToken(form.getOrDefault("token", ""))) {
            Replies.html(req, 401, WebUi.login("That is not this coordinator's cluster token."));
            return;
        }
        req.response().setStatusCode(303).putHeader("location", "/").putHeader("set-cookie", access.sessionCookie()).end();
    }

    /** The form's fields, or null after answering 400 when its encoding is broken. */
    private static Map<String, String> formOrNull(HttpServerRequest req, io.vertx.core.buffer.Buffer body) {
        try {
            return Replies.form(body);
        } catch (IllegalArgumentException e) {
            Replies.json(req, 400, Map.of("error", "the form's body is not valid application/x-www-form-urlencoded: " + e.getMessage()));
            return null;
        }
    }

    private static void unauthorized(HttpServerRequest req, String what) {
        Replies.json(req, 401, Map.of("error", what + " of this coordinator needs its cluster token: Authorization: Bearer <token> (tokensiege run --token-file F)"));
    }

    /** The Host header's "host[:port]" (HTTP/2's :authority when the client upgraded), or null. */
    private static String authority(HttpServerRequest req) {
        HostAndPort a = req.authority();
        if (a == null) return null;
        String host = a.host().contains(":") && !a.host().startsWith("[") ? "[" + a.host() + "]" : a.host();
        return a.port() >= 0 ? host + ":" + a.port() : host;
    }

    /**
     * Aborts the run in progress, if any (SIGTERM to the coordinator, tests), and returns when it has ended and written what it
     * recorded, or after {@code waitMillis}. Returns the run's exit code, or -1 when no run was in progress.
     */
    public int abortCurrent(String reason, long waitMillis) {
        return runs.abortAndWait(reason, waitMillis);
    }

    /** The live figures and counters behind {@code /metrics} (also fed by local runs that want them). */
    public CoordinatorMetrics metrics() {
        return metrics;
    }
}
