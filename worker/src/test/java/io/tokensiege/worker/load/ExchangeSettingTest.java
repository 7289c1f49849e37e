package io.tokensiege.worker.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The overlong bound holds only where max_tokens is the answer's length: not when extra_body sets it, or asks for several answers. */
class ExchangeSettingTest {
    @Test
    void extraBodyThatSetsTheLengthOrTheNumberOfAnswers_liftsTheBound() {
        assertThat(ExchangeSetting.tokenBound(Map.of())).isTrue();
        assertThat(ExchangeSetting.tokenBound(Map.of("ignore_eos", true, "top_k", 20))).isTrue();
        for (String field : new String[] {"max_completion_tokens", "n_predict", "max_new_tokens", "n", "best_of"}) {
            assertThat(ExchangeSetting.tokenBound(Map.of(field, 2))).as(field).isFalse();
        }
        assertThat(Exchange.overlongLimit(256)).isEqualTo(2_112);
    }
}
