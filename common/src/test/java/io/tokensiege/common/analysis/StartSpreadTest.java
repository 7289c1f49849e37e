package io.tokensiege.common.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.common.json.Json;
import io.tokensiege.common.protocol.StepTotals;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StartSpreadTest {

    private static StepAnalyzer.Share share(String worker, Long lateMicros, Long coreWaitMicros) {
        StepTotals totals = new StepTotals(0, 1_000_000, 10, 1, 1, 1, Map.of(), 0, Map.of(), 0, 0, 0, lateMicros, coreWaitMicros,
                StepTotals.WorkerHealth.UNKNOWN, null, 0);
        return new StepAnalyzer.Share(worker, 1, totals, List.of());
    }

    @Test
    void theSkewIsTheSpreadOfTheWorkersLateness_eachKeptWithItsWaitForACore() {
        var spread = StepAnalyzer.startSpread(List.of(share("w1", 200L, 100L), share("w2", 35_400L, 34_900L), share("w3", 1_200L, null)));

        assertThat(spread.startSkewMs()).isCloseTo(35.2, within(1e-9));
        assertThat(spread.startLateMs()).containsExactly(Map.entry("w1", 0.2), Map.entry("w2", 35.4), Map.entry("w3", 1.2));
        assertThat(spread.startCoreWaitMs()).as("w3's kernel did not tell").containsExactly(Map.entry("w1", 0.1), Map.entry("w2", 34.9));
        assertThat(spread.describe()).isEqualTo("start skew 35.2 ms (w2 waited 34.9 ms of its 35.4 ms for a core: a busy host)");
    }

    @Test
    void aLateWorkerWhoseHostLetItRun_isNotBlamedOnTheHost() {
        var spread = StepAnalyzer.startSpread(List.of(share("w1", 200L, 100L), share("w2", 9_000L, 300L)));

        assertThat(spread.describe()).isEqualTo("start skew 8.8 ms");
    }

    @Test
    void inResultsJson_theSpreadIsThreeFlatFieldsOfTheStep() throws Exception {
        String json = "{\"step_id\":\"s1\",\"start_skew_ms\":35.2,\"start_late_ms\":{\"w1\":0.2,\"w2\":35.4},\"start_core_wait_ms\":{\"w2\":34.9}}";
        StepResult step = Json.read(json, StepResult.class);

        assertThat(step.start()).isEqualTo(new StepResult.StartSpread(35.2, Map.of("w1", 0.2, "w2", 35.4), Map.of("w2", 34.9)));
        JsonNode written = Json.MAPPER.readTree(Json.write(step));
        assertThat(written.get("start_skew_ms").asDouble()).isEqualTo(35.2);
        assertThat(written.at("/start_late_ms/w2").asDouble()).isEqualTo(35.4);
        assertThat(written.at("/start_core_wait_ms/w2").asDouble()).isEqualTo(34.9);
    }

    @Test
    void oneWorker_hasNoSpread_andAShareThatNeverReportedIsLeftOut() {
        var missing = new StepAnalyzer.Share("w2", 1, null, List.of());

        assertThat(StepAnalyzer.startSpread(List.of(share("w1", 4_000L, 3_000L), missing))).isEqualTo(StepResult.StartSpread.NONE);
        assertThat(StepResult.StartSpread.NONE.describe()).isNull();
    }

    @Test
    void aShareAbortedBeforeItBegan_isNoPerfectStart_andIsLeftOutOfTheSkew() {
        var spread = StepAnalyzer.startSpread(List.of(share("w1", null, null), share("w2", 30_000L, 100L), share("w3", 2_000L, 100L)));

        assertThat(spread.startSkewMs()).as("w2 - w3, not w2 - a 0 of w1").isCloseTo(28.0, within(1e-9));
        assertThat(spread.startLateMs()).containsOnlyKeys("w2", "w3");
    }
}
