package io.tokensiege.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.plan.Target;
import io.tokensiege.common.plan.Timeouts;
import io.tokensiege.common.protocol.StepFinished;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.simulator.profile.Profiles;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every error class, each produced by a simulator fault (or a closed port), counted, and on time. */
@org.junit.jupiter.api.Timeout(value = 60, unit = java.util.concurrent.TimeUnit.SECONDS)
class ErrorClassesTest {
    private static SimulatorHarness h;

    @BeforeAll
    static void start() throws Exception {
        h = new SimulatorHarness(Profiles.load("moe-35b-a3b"), 20);
    }

    @AfterAll
    static void stop() throws Exception {
        h.close();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "500, http_5xx",
            "429, http_429",
            "drop:3, truncated",
            "malformed:2, malformed",
            "stream_error:2, stream_error",
            "empty, empty",
            "stall:0:3000, timeout_first_token",
            "stall:4:3000, timeout_idle",
            "none, timeout_total",
            "wrong-model, http_4xx",
            "closed-port, connect"})
    void eachFault_isClassifiedAndCounted(String fault, String expected) throws Exception {
        Target target = h.target(fault.contains(":") || fault.matches("\\d+|empty|none") ? Map.of("x-sim-fault", fault) : Map.of());
        if (fault.equals("wrong-model")) target = target.withEndpoint(target.url(), "no-such-model");
        if (fault.equals("closed-port")) target = target.withEndpoint("http://127.0.0.1:1/v1", target.model());
        // Short timeouts so stalls trip them; 'none' with a 300 ms total cuts a 400-token stream.
        Timeouts timeouts = new Timeouts(2_000, 1_000, 1_000, fault.equals("none") ? 300 : 20_000);
        int maxTokens = fault.equals("none") ? 400 : 10;
        StepFinished f = h.run(SimulatorHarness.step(target, StepKind.SEQUENTIAL, 1, 2, 0, 0, maxTokens, timeouts), 1, 30);

        assertThat(f.records()).hasSize(2).allSatisfy(r -> assertThat(r.outcome().error()).isEqualTo(expected));
        assertThat(f.totals().errorsByClass()).containsEntry(expected, 2);
        assertThat(f.records()).noneMatch(RequestRecord::ok);
        // Every failure explains itself: a detail for the record, a short reason for the table.
        assertThat(f.records()).allSatisfy(r -> {
            assertThat(r.outcome().errorDetail()).isNotBlank();
            assertThat(r.outcome().errorReason()).isNotBlank();
        });
    }

    @Test
    void aServerThatFailsEveryRequestAtOnce_hasTheShareStoppedAfterTheFirstThousand() throws Exception {
        Target target = h.target(Map.of("x-sim-fault", "429"));
        // A 10 minute closed loop: without the stop it would send hundreds of thousands of instant 429s.
        StepFinished f = h.run(SimulatorHarness.step(target, StepKind.CLOSED, 4, 0, 600_000, 0, 10, Timeouts.DEFAULT), 4, 60);

        assertThat(f.totals().stoppedAfterFailures()).isEqualTo(1_000);
        assertThat(f.records()).hasSizeBetween(1_000, 1_100); // and what the other lanes sent before the stop reached them
        assertThat(f.records()).noneMatch(RequestRecord::ok);
        assertThat(f.totals().errorsByClass().get("http_429")).isPositive();
    }
}
