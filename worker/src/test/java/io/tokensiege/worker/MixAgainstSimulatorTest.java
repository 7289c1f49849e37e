package io.tokensiege.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.metric.Histograms;
import io.tokensiege.common.metric.Metric;
import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.plan.Scenario;
import io.tokensiege.common.plan.Timeouts;
import io.tokensiege.common.protocol.StepFinished;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.simulator.http.GroundTruth;
import io.tokensiege.simulator.profile.Profiles;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A mixed step against the simulator: every request is the shape of its part, as the server counted it (prompt
 * tokens, generated tokens); the parts share the load by weight; the probe runs beside it one at a time and stays
 * out of the step's own histograms.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MixAgainstSimulatorTest {
    @Test
    void eachPartSendsItsOwnShape_partsShareTheLoadByWeight_andTheProbeStaysApart() throws Exception {
        Scenario.Mix mix = new Scenario.Mix(List.of(
                new Scenario.Mix.Part("agent_turns", 60, null, new Scenario.Prefix(2_000, Scenario.Prefix.PARTS, false), 16),
                new Scenario.Mix.Part("long_cold", 30, new Scenario.Prompt(4_000, true), null, 16),
                new Scenario.Mix.Part("long_decode", 10, new Scenario.Prompt(64, true), null, 300)),
                new Scenario.Mix.Probe(32, 200, 8)); // the harness target is a plain URL: times are wall time
        try (SimulatorHarness h = new SimulatorHarness(Profiles.load("moe-35b-a3b"), 20)) {
            StepSpec step = new StepSpec("mix", 0, StepKind.CLOSED, h.target(Map.of()), "mixed", 4, 1, 0, 4_000, 0, 0, 16, 0.0, 0, true, 0, List.of(),
                    Timeouts.DEFAULT, 7, "nonce", null, null, null, null, mix, null);
            StepFinished f = h.run(step, 4, 90);

            List<RequestRecord> measured = f.records().stream().filter(RequestRecord::measured).filter(r -> !r.outcome().cancelled()).toList();
            assertThat(measured).allSatisfy(r -> assertThat(r.ok()).as(r.outcome().errorDetail()).isTrue());
            Map<String, List<RequestRecord>> byPart = measured.stream().collect(Collectors.groupingBy(rec -> rec.origin().part()));
            assertThat(byPart).containsOnlyKeys("agent_turns", "long_cold", "long_decode", "probe");

            for (RequestRecord r : measured) {
                GroundTruth t = h.sim.groundTruth().byId(Long.parseLong(r.answer().serverId().substring("chatcmpl-sim-".length())));
                assertThat(r.tokens().promptTokens()).isEqualTo(t.promptTokens);
                switch (r.origin().part()) {
                    case "agent_turns" -> assertThat(t.promptTokens).as("a turn of the 2K prefix").isBetween(2_000, 2_200);
                    case "long_cold" -> assertThat(t.promptTokens).as("a 4K cold prompt").isBetween(3_900, 4_100);
                    case "long_decode" -> assertThat(t.tokens()).as("generated up to its own max_tokens").isEqualTo(300);
                    case "probe" -> assertThat(t.promptTokens).as("a short probe").isLessThan(64);
                    default -> throw new AssertionError(r.origin().part());
                }
                if (!r.origin().part().equals("long_decode")) assertThat(r.tokens().outputTokens()).isLessThanOrEqualTo(16);
            }
            // The turns share one prefix: after the first, the server serves it from its cache.
            List<RequestRecord> turns = byPart.get("agent_turns").stream().sorted(Comparator.comparingLong(rec -> rec.times().sendEpochMicros())).toList();
            assertThat(turns.subList(1, turns.size())).allSatisfy(r -> assertThat(r.tokens().cachedTokens()).isGreaterThanOrEqualTo(1_900));

            // By weight 60/30/10: the agent turns are the most frequent part. (Fast turns make more of the closed loop's
            // requests than their weight alone; the draw itself is by weight.)
            assertThat(byPart.get("agent_turns").size()).isGreaterThan(byPart.get("long_decode").size());

            // The probe: one at a time, and outside the step's own figures.
            List<RequestRecord> probes = byPart.get("probe").stream().sorted(Comparator.comparingLong(rec -> rec.times().sendEpochMicros())).toList();
            assertThat(probes).hasSizeGreaterThanOrEqualTo(2);
            for (int i = 1; i < probes.size(); i++) {
                RequestRecord before = probes.get(i - 1);
                assertThat(probes.get(i).times().sendEpochMicros()).as("probe %d waits for the one before", i)
                        .isGreaterThanOrEqualTo(before.times().sendEpochMicros() + before.times().e2eMicros());
            }
            long nonProbe = measured.stream().filter(r -> !r.origin().part().equals("probe")).count();
            assertThat(Histograms.decode(f.totals().histograms().get(Metric.TTFT_MICROS.key())).getTotalCount()).isEqualTo(nonProbe);
            // Every gap between two token events of a measured request is in ITL: the level's requests', none of the probe's.
            long gaps = f.records().stream().filter(r -> r.measured() && !r.origin().isProbe()).mapToLong(r -> Math.max(0, r.tokens().tokenEvents() - 1)).sum();
            assertThat(Histograms.decode(f.totals().histograms().get(Metric.ITL_MICROS.key())).getTotalCount()).isEqualTo(gaps);
        }
    }
}
