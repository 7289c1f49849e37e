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
    void aServerThatStopsAnsweringMetrics_isNotAskedAgain() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/metrics", exchange -> {
            int n = asked.incrementAndGet();
            byte[] body = ("# TYPE llamacpp:tokens_predicted_total counter\nllamacpp:tokens_predicted_total " + (n * 100) + "\n").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(n <= 3 ? 200 : 503, n <= 3 ? body.length : -1); // busy from the fourth scrape on
            if (n <= 3) exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            Target target = new Target("t", "http://127.0.0.1:" + server.getAddress().getPort() + "/v1", "m", null, Map.of(), Map.of(), null);
            StepServerMetrics metrics = new StepServerMetrics();
            metrics.before(target);
            assertThat(metrics.after(target)).get().isEqualTo(Map.of("llamacpp:tokens_predicted_total", 100.0));
            metrics.before(target);
            assertThat(metrics.after(target)).isEmpty();
            assertThat(asked).hasValue(4);
            metrics.before(target);
            assertThat(metrics.after(target)).isEmpty();
            assertThat(asked).as("scrapes after the server stopped answering").hasValue(4);
        } finally {
            server.stop(0);
        }
    }
}
