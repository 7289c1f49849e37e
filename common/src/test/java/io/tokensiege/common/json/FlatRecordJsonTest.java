package io.tokensiege.common.json;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.metric.TokenSource;
import org.junit.jupiter.api.Test;

/**
 * The value groups of {@link RequestRecord} and {@link StepResult} are unwrapped in JSON: a requests.jsonl line and a results.json
 * step written before the groups existed (these two were, by commit 01da9d9) read into the right groups and write back the same.
 */
class FlatRecordJsonTest {
    private static final String RECORD_BEFORE_GROUPS = "{\"step_id\":\"s1\",\"worker_id\":\"w1\",\"stream\":3,\"seq\":7,\"turn\":2,\"send_epoch_micros\":1700000000000000"
            + ",\"schedule_lag_micros\":15,\"ttft_micros\":170000,\"ttft_intended_micros\":170015,\"ttfa_micros\":180000"
            + ",\"ttfb_micros\":90000,\"e2e_micros\":4070000,\"tpot_micros\":19598,\"decode_rate_tok_s\":51.0"
            + ",\"output_tokens\":200,\"token_source\":\"USAGE\",\"token_events\":199,\"reasoning_tokens\":20"
            + ",\"reasoning_events\":19,\"content_events\":170,\"tool_call_events\":10,\"prompt_tokens\":1200"
            + ",\"cached_tokens\":1024,\"usage_completion_tokens\":200,\"finish_reason\":\"stop\",\"error_detail\":\"detail\""
            + ",\"http_status\":200,\"server_id\":\"chatcmpl-1\",\"answer_chars\":640,\"answer_sample\":\"The answer\""
            + ",\"cancelled\":false,\"measured\":true,\"error_reason\":\"reason\",\"connection\":{\"reused\":true,\"attempts\":1}"
            + ",\"agent\":{\"session\":4,\"user_turn\":2,\"follow_up\":false,\"tool_calls\":1,\"ttft_tool_call_micros\":200000"
            + ",\"malformed_tool_call\":false,\"history_messages\":5},\"part\":\"probe\"}";

    private static final String STEP_BEFORE_GROUPS = "{\"step_id\":\"s1\",\"label\":\"t / sweep @4\",\"target\":\"t\",\"scenario\":\"sweep\",\"kind\":\"CLOSED\""
            + ",\"concurrency\":4,\"repeat\":2,\"time_scale\":1.0,\"simulated\":true,\"worker_shares\":{\"w1\":4},\"requests\":10"
            + ",\"ok\":9,\"errors_by_class\":{\"timeout\":1},\"cancelled_at_end\":1,\"error_rate\":0.1,\"ttft_ms\":{\"count\":10"
            + ",\"p50\":1.0,\"p90\":2.0,\"p95\":3.0,\"p99\":4.0,\"max\":5.0,\"mean\":1.5},\"ttfa_ms\":{\"count\":10,\"p50\":1.0"
            + ",\"p90\":2.0,\"p95\":3.0,\"p99\":4.0,\"max\":5.0,\"mean\":1.5},\"ttfb_ms\":{\"count\":10,\"p50\":1.0,\"p90\":2.0"
            + ",\"p95\":3.0,\"p99\":4.0,\"max\":5.0,\"mean\":1.5},\"e2e_ms\":{\"count\":10,\"p50\":1.0,\"p90\":2.0,\"p95\":3.0"
            + ",\"p99\":4.0,\"max\":5.0,\"mean\":1.5},\"tpot_ms\":{\"count\":10,\"p50\":1.0,\"p90\":2.0,\"p95\":3.0,\"p99\":4.0"
            + ",\"max\":5.0,\"mean\":1.5},\"itl_ms\":{\"count\":10,\"p50\":1.0,\"p90\":2.0,\"p95\":3.0,\"p99\":4.0,\"max\":5.0"
            + ",\"mean\":1.5},\"decode_tok_s\":{\"count\":10,\"p50\":1.0,\"p90\":2.0,\"p95\":3.0,\"p99\":4.0,\"max\":5.0"
            + ",\"mean\":1.5},\"output_tokens\":{\"count\":10,\"p50\":1.0,\"p90\":2.0,\"p95\":3.0,\"p99\":4.0,\"max\":5.0"
            + ",\"mean\":1.5},\"aggregate_tok_s\":123.5,\"request_rate\":2.5,\"window_seconds\":15.0,\"cold_ttft_ms\":150.0"
            + ",\"warm_ttft_ms\":20.0,\"warm_cached_share\":0.9,\"warm_cached_tokens\":900,\"warm_prompt_tokens\":1000"
            + ",\"reasoning_share\":0.25,\"goodput\":0.8,\"slo_breaches\":[\"TTFT p95 3 s > 2 s\"],\"start_skew_ms\":12.0"
            + ",\"flags\":[],\"partial\":true,\"partial_reason\":\"cut short\",\"error_reasons\":[],\"decoding_at_once\":3.5"
            + ",\"parts\":{}}";

    @Test
    void aRecordLine_writtenBeforeTheGroups_readsIntoThem_andWritesBackTheSame() throws Exception {
        RequestRecord r = Json.read(RECORD_BEFORE_GROUPS, RequestRecord.class);

        assertThat(r.origin()).isEqualTo(new RequestRecord.Origin("s1", "w1", 3, 7, 2, "probe"));
        assertThat(r.times().ttftMicros()).isEqualTo(170_000L);
        assertThat(r.times().scheduleLagMicros()).isEqualTo(15L);
        assertThat(r.times().decodeRateTokS()).isEqualTo(51.0);
        assertThat(r.tokens().tokenSource()).isEqualTo(TokenSource.USAGE);
        assertThat(r.tokens().cachedTokens()).isEqualTo(1024);
        assertThat(r.outcome()).isEqualTo(new RequestRecord.Outcome("stop", null, "detail", "reason", 200, false));
        assertThat(r.answer()).isEqualTo(new RequestRecord.Answer("chatcmpl-1", 640, "The answer"));
        assertThat(r.measured()).isTrue();
        assertThat(r.agent().userTurn()).isEqualTo(2);
        assertThat(tree(Json.write(r))).isEqualTo(tree(RECORD_BEFORE_GROUPS));
    }

    @Test
    void aStepResult_writtenBeforeTheGroups_readsIntoThem_andWritesBackTheSame() throws Exception {
        StepResult s = Json.read(STEP_BEFORE_GROUPS, StepResult.class);

        assertThat(s.identity()).isEqualTo(new StepResult.Identity("s1", "t / sweep @4", "t", "sweep", "CLOSED", 4, 2, 1.0, true));
        assertThat(s.outcome().ok()).isEqualTo(9);
        assertThat(s.outcome().errorsByClass()).containsEntry("timeout", 1);
        assertThat(s.dist().ttftMs().p95()).isEqualTo(3.0);
        assertThat(s.throughput().aggregateTokS()).isEqualTo(123.5);
        assertThat(s.throughput().decodingAtOnce()).isEqualTo(3.5);
        assertThat(s.warm().warmCachedShare()).isEqualTo(0.9);
        assertThat(s.checks().partialReason()).isEqualTo("cut short");
        assertThat(s.checks().sloBreaches()).containsExactly("TTFT p95 3 s > 2 s");
        assertThat(s.workerShares()).containsEntry("w1", 4);
        assertThat(s.start()).isEqualTo(new StepResult.StartSpread(12.0, null, null));
        assertThat(tree(Json.write(s))).isEqualTo(tree(STEP_BEFORE_GROUPS));
    }

    private static JsonNode tree(String json) throws Exception {
        return Json.MAPPER.readTree(json);
    }
}
