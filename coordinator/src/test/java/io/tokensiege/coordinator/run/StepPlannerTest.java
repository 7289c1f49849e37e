package io.tokensiege.coordinator.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.plan.PlanReader;
import io.tokensiege.common.plan.Timeouts;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class StepPlannerTest {
    @Test
    void warmupRequests_endWithinTwoMinutes_whateverThePlansTimeouts() throws Exception {
        var plan = PlanReader.parse("name: p\ntargets:\n  - { name: t, url: \"http://127.0.0.1:9/v1\", model: m }\n"
                + "defaults: { warmup: 2 }\nscenarios:\n  - { name: s, prompt: { tokens: 32 }, requests: 2 }\n", "p.yaml");
        List<StepSpec> steps = StepPlanner.expand(plan);
        StepSpec warmup = steps.get(0);
        assertThat(warmup.kind()).isEqualTo(StepKind.WARMUP);
        // The defaults give 3 min to the first token and 15 min in all: a silent server would hold a warm-up request that long.
        assertThat(warmup.timeouts()).isEqualTo(new Timeouts(10_000, 120_000, 60_000, 120_000));
        assertThat(steps.get(1).timeouts()).isEqualTo(Timeouts.DEFAULT); // measured steps keep the plan's
    }

    @Test
    void shorterPlanTimeouts_stayAsTheyAre_forTheWarmup() {
        Timeouts tight = new Timeouts(2_000, 5_000, 3_000, 30_000);
        assertThat(StepPlanner.warmupTimeouts(tight)).isEqualTo(tight);
    }

    @Test
    void expand_putsEachTargetsWarmupFirst_andInterleavesRepeatsAcrossTargets() throws Exception {
        var plan = PlanReader.parse("name: p\ntargets:\n  - { name: a, url: \"http://127.0.0.1:9/v1\", model: m }\n"
                + "  - { name: b, url: \"http://127.0.0.1:9/v1\", model: m }\ndefaults: { warmup: 2 }\nscenarios:\n"
                + "  - { name: sweep, prompt: { tokens: 32 }, repeat: 2, load: { concurrency: [1, 4], duration: 10s } }\n"
                + "  - { name: one, prompt: { tokens: 32 }, requests: 3 }\n", "p.yaml");
        List<StepSpec> steps = StepPlanner.expand(plan);
        assertThat(steps).extracting(StepSpec::stepId).containsExactly(
                "s001-a-warmup", "s002-a-sweep-c1", "s003-a-sweep-c4", "s004-a-one",
                "s005-b-warmup", "s006-b-sweep-c1", "s007-b-sweep-c4", "s008-b-one",
                "s009-a-sweep-c1-r2", "s010-a-sweep-c4-r2", "s011-b-sweep-c1-r2", "s012-b-sweep-c4-r2");
        for (int i = 0; i < steps.size(); i++) assertThat(steps.get(i).index()).isEqualTo(i);
        assertThat(steps).extracting(StepSpec::kind).containsExactly(StepKind.WARMUP, StepKind.CLOSED, StepKind.CLOSED, StepKind.SEQUENTIAL,
                StepKind.WARMUP, StepKind.CLOSED, StepKind.CLOSED, StepKind.SEQUENTIAL, StepKind.CLOSED, StepKind.CLOSED, StepKind.CLOSED, StepKind.CLOSED);
        StepSpec warmup = steps.get(0);
        assertThat(warmup.requests()).isEqualTo(2);
        assertThat(warmup.concurrency()).isEqualTo(1);
        assertThat(steps.get(3).requests()).isEqualTo(3);
        assertThat(steps.get(9).repeat()).isEqualTo(2);
    }

    @Test
    void aClosedLevel_rampsOnlyWhenTimed() throws Exception {
        var timed = StepPlanner.expand(plan("load: { concurrency: [2], duration: 10s, think_time: 500ms }")).get(0);
        assertThat(timed.durationMillis()).isEqualTo(10_000);
        assertThat(timed.rampMillis()).isEqualTo(2_000); // the default ramp
        assertThat(timed.thinkMillis()).isEqualTo(500);
        assertThat(timed.requests()).isZero();
        var counted = StepPlanner.expand(plan("load: { concurrency: [2], requests_per_stream: 5 }")).get(0);
        assertThat(counted.requests()).isEqualTo(5);
        assertThat(counted.durationMillis()).isZero();
        assertThat(counted.rampMillis()).isZero(); // every request of a counted level is measured
    }

    @Test
    void planDurations_areInTheTargetsOwnTime_dividedByASimulatorsSpeedOnce() throws Exception {
        var plan = PlanReader.parse("name: p\ntargets:\n  - { name: sim, simulated: { profile: moe-35b-a3b, speed: 10 } }\n"
                + "defaults: { warmup: 0 }\nscenarios:\n  - { name: s, prompt: { tokens: 32 }, load: { concurrency: [2], duration: 10s, think_time: 15ms } }\n",
                "p.yaml");
        StepSpec step = StepPlanner.expand(plan).get(0);
        assertThat(step.durationMillis()).isEqualTo(1_000);
        assertThat(step.rampMillis()).isEqualTo(200);
        assertThat(step.thinkMillis()).isEqualTo(2); // 1.5 ms rounds to 2
        assertThat(step.timeouts()).isEqualTo(Timeouts.DEFAULT.scaledBy(10));
    }

    @Test
    void openLevels_areNamedByTheirRate_andCarryItInBothClocks() throws Exception {
        var plan = PlanReader.parse("name: p\ntargets:\n  - { name: sim, simulated: { profile: moe-35b-a3b, speed: 10 } }\n"
                + "defaults: { warmup: 0 }\nscenarios:\n  - { name: s, prompt: { tokens: 32 }, load: { rate: [0.5, 2], duration: 10s } }\n", "p.yaml");
        List<StepSpec> steps = StepPlanner.expand(plan);
        assertThat(steps).extracting(StepSpec::stepId).containsExactly("s001-sim-s-r0.5", "s002-sim-s-r2");
        assertThat(steps.get(0).kind()).isEqualTo(StepKind.OPEN);
        assertThat(steps.get(0).openLoop().ratePerSecond()).isEqualTo(0.5);
        assertThat(steps.get(0).openLoop().realRatePerSecond()).isEqualTo(5.0); // the simulator runs 10x faster
    }

    private static io.tokensiege.common.plan.Plan plan(String load) throws Exception {
        return PlanReader.parse("name: p\ntargets:\n  - { name: t, url: \"http://127.0.0.1:9/v1\", model: m }\n"
                + "defaults: { warmup: 0 }\nscenarios:\n  - { name: s, prompt: { tokens: 32 }, " + load + " }\n", "p.yaml");
    }
}
