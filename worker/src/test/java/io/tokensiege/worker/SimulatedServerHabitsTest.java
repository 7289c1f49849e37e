package io.tokensiege.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.plan.Timeouts;
import io.tokensiege.common.protocol.ConnectionStats;
import io.tokensiege.common.protocol.StepFinished;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.simulator.profile.Profiles;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The same habits as {@link HttpHabitsTest}, met on the simulator's llama.cpp personality: a close after every
 * stream, {@code Connection: close} on errors, idle connections closed, and the in-stream error event. (An
 * HTTP/1.0 close-delimited body needs a raw socket the simulator does not have: {@link HttpHabitsTest} covers it.)
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SimulatedServerHabitsTest {
    private static final Timeouts TIMEOUTS = new Timeouts(2_000, 10_000, 5_000, 20_000);

    private static StepSpec step(SimulatorHarness h, Map<String, String> headers, StepKind kind, int streams, int requests, long thinkMillis) {
        var base = SimulatorHarness.step(h.target(headers), kind, streams, requests, 0, 0, 10, TIMEOUTS);
        return new StepSpec(base.stepId(), 0, kind, base.target(), "habits", streams, 1, requests, 0, 0, thinkMillis, 10, 0.0, 16, true, 0,
                java.util.List.of(), TIMEOUTS, 7, "nonce", null, null, null);
    }

    @Test
    void closesAfterEveryStream_oneConnectionPerRequest_noErrors_andTheServersTimingsKept() throws Exception {
        try (SimulatorHarness h = new SimulatorHarness(Profiles.load("llama-cpp"), 10)) {
            StepFinished f = h.run(step(h, Map.of(), StepKind.CLOSED, 6, 4, 0), 6, 30);

            assertThat(f.records()).hasSize(24).allSatisfy(r -> {
                assertThat(r.ok()).as(r.outcome().errorDetail()).isTrue();
                assertThat(r.serverTimings()).isNotNull();
                assertThat(r.serverTimings().predictedTokens()).isEqualTo(r.tokens().outputTokens());
            });
            ConnectionStats c = f.totals().connections();
            assertThat(c.perRequest()).isTrue();
            assertThat(c.keepAliveHeader()).isEqualTo("timeout=5, max=100");
        }
    }

    @Test
    void errorsCarryConnectionClose_andTheStreamErrorIsItsOwnClass() throws Exception {
        try (SimulatorHarness h = new SimulatorHarness(Profiles.load("llama-cpp"), 10)) {
            StepFinished errors = h.run(step(h, Map.of("x-sim-fault", "500"), StepKind.SEQUENTIAL, 1, 3, 0), 1, 30);
            assertThat(errors.records()).allSatisfy(r -> assertThat(r.outcome().error()).isEqualTo("http_5xx"));
            assertThat(errors.totals().connections().connectionCloseHeaders()).isEqualTo(3);
            assertThat(errors.totals().connections().staleRetries()).isZero();

            StepFinished broken = h.run(step(h, Map.of("x-sim-fault", "stream_error:3"), StepKind.SEQUENTIAL, 1, 2, 0), 1, 30);
            assertThat(broken.records()).allSatisfy(r -> {
                assertThat(r.outcome().error()).isEqualTo("stream_error");
                assertThat(r.outcome().errorReason()).isEqualTo("The model produced output that does not match the expected peg-native format");
            });
        }
    }

    @Test
    void idleConnectionsClosedByTheServer_areReplacedWithoutErrors() throws Exception {
        // An openai-style server (keeps connections) whose keep-alive timeout is shorter than the think time.
        try (SimulatorHarness h = new SimulatorHarness(Profiles.load("moe-35b-a3b", Map.of("server.idle_close_ms", 800)), 10)) {
            StepFinished f = h.run(step(h, Map.of(), StepKind.SEQUENTIAL, 1, 3, 2_000), 1, 30);

            assertThat(f.records()).allSatisfy(r -> assertThat(r.ok()).as(r.outcome().errorDetail()).isTrue());
            ConnectionStats c = f.totals().connections();
            assertThat(c.idleClosed()).isGreaterThanOrEqualTo(2);
            assertThat(c.perRequest()).isFalse();
            assertThat(f.totals().errorsByClass()).isEmpty();
        }
    }
}
