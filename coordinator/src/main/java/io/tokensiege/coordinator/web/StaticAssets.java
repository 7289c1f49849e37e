package io.tokensiege.coordinator.web;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The page's script and styles and the chart library (uPlot, MIT, from its webjar), served from the jar under
 * {@code /assets/}: nothing is fetched from another site, so the page works offline and the CSP can say script-src 'self'.
 * Read once at start; a missing one is a packaging bug and fails the coordinator's start.
 */
final class StaticAssets {
    private static final String UPLOT = "META-INF/resources/webjars/uplot/";
    private static final String OWN = "io/tokensiege/coordinator/web/assets/";

    private record Asset(Buffer bytes, String contentType) {}

    private final Map<String, Asset> assets = new LinkedHashMap<>();

    StaticAssets() {
        String uplot = UPLOT + uplotVersion() + "/";
        add("uPlot.iife.min.js", uplot + "dist/uPlot.iife.min.js", "text/javascript; charset=utf-8");
        add("uPlot.min.css", uplot + "dist/uPlot.min.css", "text/css; charset=utf-8");
        add("uPlot.LICENSE.txt", uplot + "LICENSE", "text/plain; charset=utf-8");
        add("live.js", OWN + "live.js", "text/javascript; charset=utf-8");
        add("live.css", OWN + "live.css", "text/css; charset=utf-8");
    }

    /** True when {@code name} (what follows /assets/) was served. */
    boolean serve(HttpServerRequest req, String name) {
        Asset a = assets.get(name);
        if (a == null) return false;
        Replies.secured(req).putHeader("content-type", a.contentType()).putHeader("cache-control", "no-cache").end(a.bytes());
        return true;
    }

    private void add(String name, String resource, String contentType) {
        assets.put(name, new Asset(Buffer.buffer(read(resource)), contentType));
    }

    private static String uplotVersion() {
        Properties p = new Properties();
        try (InputStream in = resource("META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("version");
    }

    private static byte[] read(String resource) {
        try (InputStream in = resource(resource)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = StaticAssets.class.getClassLoader().getResourceAsStream(name);
        if (in == null) throw new IOException("the jar lacks " + name + ": rebuild tokensiege (mvn -B package)");
        return in;
    }
}
