package io.tokensiege.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Input that cannot work (numbers out of range, a simulator override no profile has) is refused with exit 2 before any load, never bent. */
class CommandRangesTest {
    private static String refusal(String... args) {
        CliRun run = CliRun.of(args);
        assertThat(run.code()).as(String.join(" ", args) + " printed: " + run.output()).isEqualTo(2);
        return run.output();
    }

    @Test
    void portsTimeoutsAndCapacities_outsideTheirRange_exitWith2_sayingWhich() {
        assertThat(refusal("worker", "--join", "127.0.0.1", "--capacity", "0")).contains("--capacity 0 must be 1 to 1000");
        assertThat(refusal("coordinator", "--port", "0")).contains("--port 0 is not a port");
        assertThat(refusal("coordinator", "--http", "127.0.0.1:70000")).contains("--http port 70000 is not a port");
        assertThat(refusal("coordinator", "--worker-timeout", "-1")).contains("--worker-timeout -1 must be 1 to 3600 seconds");
    }

    @Test
    void aSimulatorOverrideNoProfileHas_exitsWith2_atItsLine_inRunAndInPlansCheck(@TempDir Path dir) throws Exception {
        Path plan = Files.writeString(dir.resolve("sim.yaml"), """
                name: sim-override
                targets:
                  - { name: sim, simulated: { profile: dense-26b, set: { engine.slotz: 8 } } }
                scenarios:
                  - { name: s, prompt: { tokens: 8 }, requests: 1 }
                """);
        String where = plan + ":3:58 (targets[0].simulated.set.engine.slotz): 'engine.slotz' is not a profile field; did you mean 'engine.slots'?";
        assertThat(refusal("run", plan.toString(), "--local", "--data", dir.resolve("runs").toString())).contains(where);
        assertThat(refusal("plans", "--check", plan.toString())).contains(where);
        assertThat(dir.resolve("runs")).doesNotExist();
    }
}
