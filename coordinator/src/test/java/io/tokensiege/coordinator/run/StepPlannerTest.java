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
}
