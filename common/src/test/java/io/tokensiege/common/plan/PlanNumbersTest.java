package io.tokensiege.common.plan;

import static io.tokensiege.common.plan.PlanErrors.at;
import static io.tokensiege.common.plan.PlanErrors.single;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Durations and numbers: every one bounded, so none can be negative, zero where that means nothing, overflow or be NaN. */
class PlanNumbersTest {
    static final String PLAN = """
            name: p
            targets:
              - name: t
                url: "http://h:1/v1"
                model: m
            scenarios:
              - name: s
                prompt: { tokens: 8 }
                load:
                  concurrency: [1, 2]
                  duration: 10s
                  think_time: 0s
            defaults:
              ramp: 0s
              temperature: 0
              timeouts:
                connect: 5s
                first_token: 2m
                idle: 1m
                total: 15m
            """;

    @Test
    void plan_parses_withZeroWhereZeroMeansNone() throws PlanException {
        Plan p = PlanReader.parse(PLAN, "plan.yaml");
        assertThat(p.scenarios().get(0).load().durationMillis()).isEqualTo(10_000);
        assertThat(p.scenarios().get(0).load().thinkMillis()).isZero();
        assertThat(p.defaults().rampMillis()).isZero();
        assertThat(p.defaults().timeouts()).isEqualTo(new Timeouts(5_000, 120_000, 60_000, 900_000));
    }

    @ParameterizedTest(name = "{0}: {1} -> {4}")
    @CsvSource(delimiter = '|', textBlock = """
            duration: 10s        | duration: -5                      | 11 | 17 | must not be negative
            duration: 10s        | duration: 0                       | 11 | 17 | must be positive
            duration: 10s        | duration: 0.0001s                 | 11 | 17 | must be positive
            duration: 10s        | duration: "99999999999999999999h" | 11 | 17 | at most 7 days
            duration: 10s        | duration: 99999999999999999999    | 11 | 17 | at most 7 days
            duration: 10s        | duration: 169h                    | 11 | 17 | at most 7 days
            duration: 10s        | duration: 1e999                   | 11 | 17 | at most 7 days
            duration: 10s        | duration: .nan                    | 11 | 17 | must be a duration
            think_time: 0s       | think_time: -1s                   | 12 | 19 | must not be negative
            ramp: 0s             | ramp: -1                          | 14 |  9 | must not be negative
            connect: 5s          | connect: 0                        | 17 | 14 | must be positive
            first_token: 2m      | first_token: -2m                  | 18 | 18 | must not be negative
            idle: 1m             | idle: 0ms                         | 19 | 11 | must be positive
            total: 15m           | total: -1                         | 20 | 12 | must not be negative
            """)
    void badDuration_isRefused(String from, String to, int line, int column, String message) {
        String key = to.substring(0, to.indexOf(':'));
        String path = switch (key) {
            case "duration", "think_time" -> "scenarios[0].load." + key;
            case "ramp" -> "defaults.ramp";
            default -> "defaults.timeouts." + key;
        };
        assertThat(at(single(PLAN.replace(from, to)), line, column, path).message()).contains(message);
    }

    @Test
    void longestDuration_isSevenDays() throws PlanException {
        assertThat(PlanReader.parse(PLAN.replace("duration: 10s", "duration: 168h"), "plan.yaml").scenarios().get(0).load().durationMillis())
                .isEqualTo(PlanReader.MAX_DURATION_MILLIS);
    }

    @ParameterizedTest(name = "{0} -> {3}")
    @CsvSource(delimiter = '|', textBlock = """
            temperature: .nan                  | 15 | 16 | must be a finite number
            temperature: .inf                  | 15 | 16 | must be a finite number
            temperature: -.Inf                 | 15 | 16 | must be a finite number
            temperature: 1e999                 | 15 | 16 | must be a finite number
            temperature: 99999999999999999999  | 15 | 16 | between 0.0 and 2.0
            """)
    void nonFiniteOrHugeNumber_isRefused(String to, int line, int column, String message) {
        assertThat(at(single(PLAN.replace("temperature: 0", to)), line, column, "defaults.temperature").message()).contains(message);
    }

    @Test
    void integerBeyondLong_isRefusedAsOutOfRange() {
        PlanError e = at(single(PLAN.replace("temperature: 0", "warmup: 99999999999999999999")), 15, 11, "defaults.warmup");
        assertThat(e.message()).contains("between 0 and 100").contains("99999999999999999999");
    }

    @Test
    void concurrencyBeyondLong_isRefused() {
        PlanError e = at(single(PLAN.replace("[1, 2]", "[1, 99999999999999999999]")), 10, 24, "scenarios[0].load.concurrency[1]");
        assertThat(e.message()).contains("whole number from 1 to 100000");
    }

    @Test
    void sloThresholds_mustBePositive() {
        PlanError e = at(single(PLAN + "slo: { ttft_p50: 0s }\n"), 21, 18, "slo.ttft_p50");
        assertThat(e.message()).contains("must be positive");
    }

    @Test
    void responseLimits_areBoundedAndReachTheDefaults() throws PlanException {
        Plan p = PlanReader.parse(PLAN.replace("  ramp: 0s", "  ramp: 0s\n  max_event_bytes: 4194304\n  max_error_body_bytes: 4096"), "plan.yaml");
        assertThat(p.defaults().limits()).isEqualTo(new Limits(4 << 20, 4096));
        assertThat(PlanReader.parse(PLAN, "plan.yaml").defaults().limits()).isEqualTo(Limits.DEFAULT);
        PlanException tooSmall = org.junit.jupiter.api.Assertions.assertThrows(PlanException.class,
                () -> PlanReader.parse(PLAN.replace("  ramp: 0s", "  ramp: 0s\n  max_event_bytes: 10"), "plan.yaml"));
        assertThat(tooSmall.getMessage()).contains("defaults.max_event_bytes").contains("between 1024 and 268435456");
    }
}
