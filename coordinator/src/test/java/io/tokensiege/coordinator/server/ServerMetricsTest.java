package io.tokensiege.coordinator.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The server's Prometheus counters around a step: parsed from the text format, counters as deltas, gauges as they end. */
class ServerMetricsTest {
    static final String BEFORE = """
            # HELP llamacpp:prompt_tokens_total Number of prompt tokens processed.
            # TYPE llamacpp:prompt_tokens_total counter
            llamacpp:prompt_tokens_total 100
            # TYPE llamacpp:requests_processing gauge
            llamacpp:requests_processing 3
            # TYPE vllm:time_to_first_token_seconds histogram
            vllm:time_to_first_token_seconds_bucket{le="0.1",model_name="m"} 4
            vllm:time_to_first_token_seconds_count{model_name="m"} 5 1700000000000
            process_cpu_seconds_total 12
            """;

    @Test
    void countersBecomeDeltas_gaugesKeepTheirEndValue_andOtherSeriesAreIgnored() {
        ServerMetrics.Scrape before = ServerMetrics.parse(BEFORE);
        ServerMetrics.Scrape after = ServerMetrics.parse(BEFORE.replace("total 100", "total 350").replace("processing 3", "processing 1")
                .replace("\"} 4", "\"} 9").replace("\"} 5 1700000000000", "\"} 11 1700000001000"));
        Map<String, Double> delta = ServerMetrics.delta(before, after);
        assertThat(delta).containsEntry("llamacpp:prompt_tokens_total", 250.0)
                .containsEntry("llamacpp:requests_processing", 1.0)
                .containsEntry("vllm:time_to_first_token_seconds_bucket{le=\"0.1\",model_name=\"m\"}", 5.0)
                .containsEntry("vllm:time_to_first_token_seconds_count{model_name=\"m\"}", 6.0)
                .doesNotContainKey("process_cpu_seconds_total");
    }

    @Test
    void aCounterThatFell_wasReset_andCountsFromZero_neverNegative() {
        ServerMetrics.Scrape before = ServerMetrics.parse(BEFORE);
        ServerMetrics.Scrape after = ServerMetrics.parse(BEFORE.replace("total 100", "total 40"));
        assertThat(ServerMetrics.delta(before, after)).containsEntry("llamacpp:prompt_tokens_total", 40.0);
    }

    @Test
    void garbage_isIgnoredAndTheSeriesAreBounded() {
        StringBuilder many = new StringBuilder("llamacpp:broken not-a-number\nllamacpp:x\n");
        for (int i = 0; i < 1000; i++) many.append("llamacpp:s{i=\"").append(i).append("\"} ").append(i).append('\n');
        ServerMetrics.Scrape s = ServerMetrics.parse(many.toString());
        assertThat(s.values()).hasSize(ServerMetrics.MAX_SERIES).doesNotContainKey("llamacpp:broken");
    }
}
