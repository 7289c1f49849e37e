package io.tokensiege.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.json.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RemoteRunTest {
    @Test
    void theLiveLine_showsADashForAFigureTheCoordinatorCouldNotCompute_neverNaN() throws Exception {
        Map<String, Object> live = new LinkedHashMap<>();
        live.put("step", "hole / sweep @1");
        live.put("elapsed_ms", 3000);
        live.put("ttft_p50_ms", Double.NaN); // Jackson writes it as the string "NaN"
        live.put("ttft_p95_ms", Double.NaN);
        live.put("tokens_per_second", 0.0);
        live.put("completed", 0);
        live.put("errors", 0);
        live.put("in_flight", 1);
        String line = RemoteRun.liveLine(Json.MAPPER.readTree(Json.write(live)));
        assertThat(line).isEqualTo("    live hole / sweep @1 +3 s: merged TTFT p50 - p95 -, 0 tok/s, 0 done, 0 errors, 1 in flight");
    }
}
