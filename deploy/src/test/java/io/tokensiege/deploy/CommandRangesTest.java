package io.tokensiege.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Numbers on the command line that cannot work are refused with exit 2 before anything starts, never silently bent. */
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
}
