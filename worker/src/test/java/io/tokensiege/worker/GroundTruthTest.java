package io.tokensiege.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.plan.Timeouts;
import io.tokensiege.common.protocol.StepFinished;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.simulator.engine.EngineConfig;
import io.tokensiege.simulator.http.GroundTruth;
import io.tokensiege.simulator.profile.FaultConfig;
import io.tokensiege.simulator.profile.Profile;
import io.tokensiege.simulator.profile.Profiles;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The worker's numbers against what the simulator knows it did (same JVM, same nanoTime clock):
 * every request's TTFT and decode rate, and the step's aggregate tokens, at concurrency 64.
 */
@org.junit.jupiter.api.Timeout(value = 300, unit = java.util.concurrent.TimeUnit.SECONDS)
class GroundTruthTest {
    private static final long MS = 1_000_000L;
    /**
     * Mapping the worker's µs wall-clock stamps back onto nanoTime: usually < 0.1 ms, but on a loaded
     * 2-core machine a preempted clock read can cost a millisecond or more.
     */
    private static final double CLOCK_MAPPING_MS = 2.0;

    private static GroundTruth truthOf(SimulatorHarness h, RequestRecord r) {
        return h.sim.groundTruth().byId(Long.parseLong(r.answer().serverId().substring("chatcmpl-sim-".length())));
    }

    private static double pct(List<Double> sorted, double q) {
        return sorted.get(Math.min(sorted.size() - 1, (int) (q * sorted.size())));
    }

    private static long toNanos(long epochMicros) {
        long[] pair = io.tokensiege.worker.load.EpochClockAccess.pair();
        return pair[0] - (pair[1] - epochMicros) * 1000;
    }

    @Test
    void atConcurrency64_ttftDecodeAndAggregateMatchGroundTruth() throws Exception {
        // 64 slots, 20 ms decode steps (50 tok/s per stream), fast prefill: a real-time server.
        EngineConfig engine = new EngineConfig(64, 20, 0, 50_000, 0, 0, 0, 64, 0, 16, 0, 0, 0, "reasoning");
        Profile profile = new Profile("truth", "ground truth test", "truth-model", 1, engine, FaultConfig.NONE);
        try (SimulatorHarness h = new SimulatorHarness(profile, 1)) {
            h.warmUp();
            // Ramp 1.5 s covers the first wave (all 64 prefills at once); 3 s of window holds ~3 waves of 40 tokens.
            var step = SimulatorHarness.step(h.target(Map.of()), StepKind.CLOSED, 64, 0, 3_000, 1_500, 40, Timeouts.DEFAULT);
            StepFinished f = h.run(step, 64, 60);

            var measured = f.records().stream().filter(RequestRecord::measured).filter(RequestRecord::ok).toList();
            assertThat(measured).hasSizeGreaterThanOrEqualTo(64);
            List<Double> totalErrorsMs = new ArrayList<>();
            List<Double> clientErrorsMs = new ArrayList<>();
            List<Double> requestPathMs = new ArrayList<>();
            List<Double> decodeErrors = new ArrayList<>();
            for (RequestRecord r : measured) {
                GroundTruth t = truthOf(h, r);
                long[] flushes = t.tokenFlushNanos();
                assertThat(r.tokens().outputTokens()).isEqualTo(flushes.length).isEqualTo(40);
                double truthTtftMs = (flushes[0] - t.receivedNanos) / 1e6;
                // Never less than the truth: the measured span contains the server's own span.
                assertThat(r.times().ttftMicros() / 1e3).isGreaterThanOrEqualTo(truthTtftMs - 0.001);
                totalErrorsMs.add(r.times().ttftMicros() / 1e3 - truthTtftMs);
                // Client-added error: when the worker saw the first token against when the simulator wrote it,
                // both on this JVM's clock (the worker's µs wall-clock stamps mapped back to nanoTime).
                double clientMs = (toNanos(r.times().sendEpochMicros() + r.times().ttftMicros()) - flushes[0]) / 1e6;
                requestPathMs.add((t.receivedNanos - toNanos(r.times().sendEpochMicros())) / 1e6);
                clientErrorsMs.add(clientMs);
                double truthDecode = (flushes.length - 1) * 1e9 / (flushes[flushes.length - 1] - flushes[0]);
                decodeErrors.add(Math.abs(r.times().decodeRateTokS() - truthDecode) / truthDecode);
                // A guard against gross errors (the reasoning trap is 10x): one request's 780 ms span can lose ~0.1 s to
                // scheduling on two shared cores, on either side's stamps. The typical request is held to 2 % below.
                assertThat(r.times().decodeRateTokS()).isCloseTo(truthDecode, within(0.15 * truthDecode));
            }
            Collections.sort(clientErrorsMs);
            Collections.sort(requestPathMs);
            Collections.sort(decodeErrors);
            // Simulator and worker share this machine's cores (and one JVM), so scheduling adds a tail the
            // client cannot avoid; the typical request must still agree within 2 ms on the first token (a tenth of a
            // decode step: a client that parsed late or held a token back would be a step off) and 2 % on decode rate
            // (usually ~0.6 %: see the printed figures). Since a worker's two lanes run on two event loops, three busy
            // threads share this 2-core VM's two cores: fresh clones printed medians of 0.47-1.08 ms (0.2-0.6 before).
            assertThat(clientErrorsMs.get(0)).as("a token cannot arrive before it was written").isGreaterThan(-CLOCK_MAPPING_MS);
            assertThat(clientErrorsMs.get(clientErrorsMs.size() / 2)).as("median first-token delivery error, ms").isLessThanOrEqualTo(2.0);
            assertThat(decodeErrors.get(decodeErrors.size() / 2)).as("median decode-rate error").isLessThanOrEqualTo(0.02);
            // Aggregate: tokens the simulator flushed inside the worker's window (mapped to nanoTime).
            long offsetNanos = System.currentTimeMillis() * MS - System.nanoTime();
            long from = f.totals().windowStartEpochMicros() * 1000 - offsetNanos;
            long to = from + f.totals().windowMicros() * 1000;
            long truthTokens = h.sim.groundTruth().all().stream().flatMapToLong(t -> java.util.Arrays.stream(t.tokenFlushNanos()))
                    .filter(n -> n >= from && n < to).count();
            assertThat(f.totals().tokensInWindow()).isCloseTo(truthTokens, within(0.01 * truthTokens));
            Collections.sort(totalErrorsMs);
            System.out.printf("ground truth @64: %d requests; first-token delivery (simulator write -> worker stamp) p50 %.3f ms, "
                            + "p99 %.3f ms; request path (worker send -> simulator handler) p50 %.3f ms, p99 %.3f ms; measured - server TTFT "
                            + "p50 %.3f ms, p99 %.3f ms; decode-rate error p50 %.2f%%, max %.2f%%; tokens in window %.0f vs truth %d%n",
                    measured.size(), pct(clientErrorsMs, 0.5), pct(clientErrorsMs, 0.99), pct(requestPathMs, 0.5), pct(requestPathMs, 0.99),
                    pct(totalErrorsMs, 0.5), pct(totalErrorsMs, 0.99), 100 * pct(decodeErrors, 0.5), 100 * pct(decodeErrors, 1.0),
                    f.totals().tokensInWindow(), truthTokens);
        }
    }

    @Test
    void reasoningModel_ttftIsFirstReasoningToken_andDecodeIsNotInflated() throws Exception {
        try (SimulatorHarness h = new SimulatorHarness(Profiles.load("reasoning-ollama"), 10)) {
            h.warmUp();
            var step = SimulatorHarness.step(h.target(Map.of()), StepKind.SEQUENTIAL, 1, 2, 0, 0, 100, Timeouts.DEFAULT);
            StepFinished f = h.run(step, 1, 60);
            for (RequestRecord r : f.records()) {
                GroundTruth t = truthOf(h, r);
                long[] flushes = t.tokenFlushNanos();
                // TTFT lands on the first reasoning token, TTFA on token 61 (the first answer token), 60 tokens
                // (~133 ms here) apart; each seen within 20 ms of its write (the median delivery error is checked
                // precisely at concurrency 64; single requests on these shared cores see the odd few-ms hiccup).
                long send = toNanos(r.times().sendEpochMicros());
                assertThat((send + r.times().ttftMicros() * 1000 - flushes[0]) / 1e6).isBetween(-CLOCK_MAPPING_MS, 20.0);
                assertThat((send + r.times().ttfaMicros() * 1000 - flushes[60]) / 1e6).isBetween(-CLOCK_MAPPING_MS, 20.0);
                assertThat((flushes[60] - flushes[0]) / 1e6).isGreaterThan(100.0);
                assertThat(r.times().ttfaMicros()).isGreaterThan(r.times().ttftMicros());
                assertThat(r.tokens().reasoningTokens()).isEqualTo(60);
                assertThat(r.tokens().outputTokens()).isEqualTo(100);
                double truthDecode = 99 * 1e9 / (flushes[99] - flushes[0]);
                assertThat(r.times().decodeRateTokS()).isCloseTo(truthDecode, within(0.05 * truthDecode));
                // The trap of docs/context.md: 100 tokens over the answer window only would read ~2.5x faster.
                assertThat(r.times().decodeRateTokS()).isLessThan(1.1 * 100 * 1e9 / (flushes[99] - flushes[0]));
            }
        }
    }
}
