package io.tokensiege.deploy.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokensiege.common.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Debian's headless Chromium, driven over the Chrome DevTools Protocol with the JDK's own WebSocket client (no driver,
 * no dependency): one page, navigate, evaluate script, screenshot. Every call waits at most {@link #CALL_TIMEOUT_SECONDS}.
 */
public final class Chromium implements AutoCloseable {
    private static final long CALL_TIMEOUT_SECONDS = 30;
    private static final long START_TIMEOUT_MILLIS = 30_000;
    private static final List<String> BINARIES = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome");

    private final Process process;
    private final WebSocket socket;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    private Chromium(Process process, WebSocket socket) {
        this.process = process;
        this.socket = socket;
    }

    /** The browser binary, or empty with nothing installed (the caller says it skipped and why). */
    public static Optional<Path> binary() {
        String given = System.getenv("TOKENSIEGE_CHROMIUM");
        if (given != null && Files.isExecutable(Path.of(given))) return Optional.of(Path.of(given));
        return BINARIES.stream().map(Path::of).filter(Files::isExecutable).findFirst();
    }

    /** Starts a browser with its own profile under {@code dir} and attaches to its first page. */
    public static Chromium start(Path binary, Path dir, int width, int height) throws Exception {
        Path profile = Files.createDirectories(dir.resolve("chromium-profile"));
        Process p = new ProcessBuilder(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-port=0",
                "--user-data-dir=" + profile, "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync",
                "--disable-extensions", "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=" + width + "," + height, "about:blank")
                .redirectErrorStream(true).redirectOutput(dir.resolve("chromium.log").toFile()).start();
        try {
            int port = debuggingPort(profile.resolve("DevToolsActivePort"), p, dir.resolve("chromium.log"));
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String page = null;
            long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
            while (page == null && System.currentTimeMillis() < deadline) { // the first tab appears a moment after the port file
                JsonNode targets = Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body());
                for (JsonNode t : targets) if (t.path("type").asText().equals("page")) page = t.path("webSocketDebuggerUrl").asText();
                if (page == null) TimeUnit.MILLISECONDS.sleep(100); // polling a browser's start, bounded by the deadline
            }
            if (page == null) throw new IllegalStateException("chromium opened no page within " + START_TIMEOUT_MILLIS + " ms");
            Listener listener = new Listener();
            WebSocket ws = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10)).buildAsync(URI.create(page), listener)
                    .get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            Chromium c = new Chromium(p, ws);
            listener.owner = c;
            c.call("Page.enable", Map.of());
            c.call("Runtime.enable", Map.of());
            c.call("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height, "deviceScaleFactor", 1, "mobile", false));
            return c;
        } catch (Exception e) {
            p.destroyForcibly();
            throw e;
        }
    }

    private static int debuggingPort(Path portFile, Process p, Path log) throws Exception {
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(portFile)) {
                List<String> lines = Files.readAllLines(portFile);
                if (!lines.isEmpty() && !lines.get(0).isBlank()) return Integer.parseInt(lines.get(0).trim());
            }
            if (!p.isAlive()) throw new IllegalStateException("chromium exited with " + p.exitValue() + ": " + Files.readString(log));
            TimeUnit.MILLISECONDS.sleep(50); // polling for the file the browser writes once it listens, bounded by the deadline
        }
        throw new IllegalStateException("chromium wrote no DevToolsActivePort within " + START_TIMEOUT_MILLIS + " ms; see " + log);
    }

    /** One DevTools command; its result, or an exception carrying the browser's error. */
    public JsonNode call(String method, Map<String, Object> params) throws Exception {
        long id = ids.incrementAndGet();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        ObjectNode msg = Json.MAPPER.createObjectNode().put("id", id).put("method", method);
        msg.set("params", Json.MAPPER.valueToTree(params));
        synchronized (socket) { // one message at a time: the JDK's WebSocket refuses overlapping sends
            socket.sendText(Json.MAPPER.writeValueAsString(msg), true).get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
        JsonNode r = reply.get(CALL_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (r.has("error")) throw new IllegalStateException(method + " failed: " + r.get("error"));
        return r.path("result");
    }

    /** Opens {@code url} and waits until its document has loaded (its deferred scripts ran). */
    public void open(String url) throws Exception {
        markLeaving();
        call("Page.navigate", Map.of("url", url));
        awaitNextDocument("location.href.startsWith(" + Json.write(url.replaceAll("#.*", "")) + ")");
    }

    /**
     * Runs {@code script}, which leaves the page (a form submitted, a submit button clicked), and waits until the next
     * document has loaded: until then the old one still answers, loaded, and the new one may lack its scripts' listeners.
     */
    public void leaveBy(String script) throws Exception {
        markLeaving();
        eval(script + "; true");
        awaitNextDocument("true");
    }

    private void markLeaving() throws Exception {
        try {
            eval("window.__leaving = true");
        } catch (IllegalStateException betweenDocuments) { // the page is already on its way to another document: nothing to mark
        }
    }

    /** A new document comes with a new window object, without the old one's mark; 'complete' comes after its deferred scripts. */
    private void awaitNextDocument(String andAlso) throws Exception {
        awaitTrue("window.__leaving === undefined && document.readyState === 'complete' && " + andAlso, 20_000);
    }

    /** The value of a script expression (promises awaited), as JSON. */
    public JsonNode eval(String expression) throws Exception {
        JsonNode r = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
        if (r.has("exceptionDetails")) throw new IllegalStateException("script failed: " + expression + ": " + r.get("exceptionDetails"));
        return r.path("result").path("value");
    }

    /** Polls a script condition until it is true, at most {@code timeoutMillis}; says which condition did not hold. */
    public void awaitTrue(String condition, long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            JsonNode v;
            try {
                v = eval("!!(" + condition + ")");
            } catch (IllegalStateException navigating) { // the page may be between two documents
                v = null;
            }
            if (v != null && v.asBoolean()) return;
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("not true within " + timeoutMillis + " ms: " + condition + "\nthe page (" + eval("location.href").asText() + ") says: "
                        + eval("(document.body ? document.body.innerText : '').slice(0, 1500)").asText());
            }
            awaitPageChange(500);
        }
    }

    /**
     * Returns at the page's next change of its document (a DOM mutation: the page's own update, or a new document), or
     * after {@code maxMillis} without one, so a test re-reads the page when it has something new to show.
     */
    public void awaitPageChange(long maxMillis) throws Exception {
        try {
            eval("new Promise(done => { const o = new MutationObserver(() => { o.disconnect(); done(true); });"
                    + " o.observe(document, {subtree: true, childList: true, characterData: true, attributes: true});"
                    + " setTimeout(() => { o.disconnect(); done(false); }, " + maxMillis + "); })");
        } catch (IllegalStateException navigating) { // the document went away while waiting: that is a change too
        }
    }

    /** Chooses {@code file} in the page's file input matched by {@code selector}, as a user picking it would (change event included). */
    public void chooseFile(String selector, Path file) throws Exception {
        long deadline = System.currentTimeMillis() + 10_000;
        while (true) {
            try {
                // The element as a script object, not a DOM node id: node ids go stale whenever the page redraws its document.
                String input = call("Runtime.evaluate", Map.of("expression", "document.querySelector(" + Json.write(selector) + ")")).path("result")
                        .path("objectId").asText();
                call("DOM.setFileInputFiles", Map.of("objectId", input, "files", List.of(file.toAbsolutePath().toString())));
                return;
            } catch (IllegalStateException redrawn) { // the page replaced its document meanwhile: find the input again
                if (System.currentTimeMillis() > deadline) throw redrawn;
                awaitPageChange(200);
            }
        }
    }

    /** A PNG of the whole page (beyond the window when it is taller). */
    public void screenshot(Path png) throws Exception {
        JsonNode size = call("Page.getLayoutMetrics", Map.of()).path("cssContentSize");
        Map<String, Object> clip = Map.of("x", 0, "y", 0, "width", size.path("width").asDouble(), "height", size.path("height").asDouble(), "scale", 1);
        JsonNode shot = call("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true, "clip", clip));
        Files.createDirectories(png.getParent());
        Files.write(png, Base64.getDecoder().decode(shot.path("data").asText()));
    }

    @Override
    public void close() {
        try {
            call("Browser.close", Map.of());
        } catch (Exception ignored) {
            // it may be gone already; the process is ended below either way
        }
        socket.abort();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /** Collects a message's fragments and completes the call it answers; events are ignored. */
    private static final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();
        volatile Chromium owner;

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                try {
                    JsonNode msg = Json.MAPPER.readTree(text);
                    if (msg.has("id") && owner != null) {
                        CompletableFuture<JsonNode> f = owner.pending.remove(msg.get("id").asLong());
                        if (f != null) f.complete(msg);
                    }
                } catch (IOException e) {
                    // not JSON: not a reply
                }
            }
            ws.request(1);
            return null;
        }
    }
}
