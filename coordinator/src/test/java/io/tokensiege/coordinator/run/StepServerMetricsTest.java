package io.tokensiege.coordinator.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.tokensiege.common.plan.Target;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The server's counters around each step, asked for only while the server answers them. */
class StepServerMetricsTest {
    @Test
    @Timeout(30)
    void aServerBusyOnceAfterAStep_isAskedAgain_butNotAfterTwoEmptyScrapesInARow() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        HttpServer server = metricsServer(asked, n -> n <= 3); // answers three scrapes, then is busy for good
        try {
            Target target = target(server);
            StepServerMetrics metrics = new StepServerMetrics();
            metrics.before(target);
            assertThat(metrics.after(target)).get().isEqualTo(Map.of("llamacpp:tokens_predicted_total", 100.0));
            metrics.before(target);
            assertThat(metrics.after(target)).as("busy right after the step").isEmpty();
            metrics.before(target);
            assertThat(asked).as("asked again after one empty scrape").hasValue(5);
            assertThat(metrics.after(target)).isEmpty();
            metrics.before(target);
            assertThat(metrics.after(target)).isEmpty();
            assertThat(asked).as("scrapes after two empty ones in a row").hasValue(5);
        } finally {
            server.stop(0);
        }
    }

    @Test
    @Timeout(30)
    void aServerWithoutMetrics_isAskedOnce_andOneThatStopsAnswering_isNotAskedAgain() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        HttpServer none = metricsServer(asked, n -> false);
        StepServerMetrics metrics = new StepServerMetrics();
        try {
            metrics.before(target(none));
            metrics.before(target(none));
            assertThat(asked).as("a server with no /metrics").hasValue(1);
        } finally {
            none.stop(0);
        }

        AtomicInteger askedGone = new AtomicInteger();
        HttpServer gone = metricsServer(askedGone, n -> true);
        Target t = new Target("gone", target(gone).url(), "m", null, Map.of(), Map.of(), null);
        metrics.before(t);
        assertThat(askedGone).hasValue(1);
        gone.stop(0); // nothing listens there any more: the scrape is unanswered
        assertThat(metrics.after(t)).isEmpty();
        metrics.before(t);
        assertThat(askedGone).hasValue(1);
    }

    private static Target target(HttpServer server) {
        return new Target("t", "http://127.0.0.1:" + server.getAddress().getPort() + "/v1", "m", null, Map.of(), Map.of(), null);
    }

    /** /metrics with a counter of 100 per scrape while {@code answers} says so, else 503. */
    private static HttpServer metricsServer(AtomicInteger asked, java.util.function.IntPredicate answers) throws java.io.IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/metrics", exchange -> {
            int n = asked.incrementAndGet();
            byte[] body = ("# TYPE llamacpp:tokens_predicted_total counter\nllamacpp:tokens_predicted_total " + (n * 100) + "\n").getBytes(StandardCharsets.UTF_8);
            boolean ok = answers.test(n);
            exchange.sendResponseHeaders(ok ? 200 : 503, ok ? body.length : -1);
            if (ok) exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }
}
