package io.tokensiege.worker.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.metric.TokenSource;
import org.junit.jupiter.api.Test;

/** A share stops once its first 1,000 ended requests all failed; one success, probes and cancelled requests keep it going. */
class FailureFloodTest {
    @Test
    void theThousandthFailure_withoutASuccess_tripsOnce() {
        FailureFlood flood = new FailureFlood();
        for (int i = 1; i < FailureFlood.REQUESTS; i++) assertThat(flood.tripsOn(record("http_429", false, null))).isFalse();
        assertThat(flood.stoppedAfter()).isNull();
        assertThat(flood.tripsOn(record("http_429", false, null))).isTrue();
        assertThat(flood.stoppedAfter()).isEqualTo(FailureFlood.REQUESTS);
        assertThat(flood.tripsOn(record("http_429", false, null))).as("once").isFalse();
    }

    @Test
    void oneSuccess_cancelledRequests_andProbes_neverTripIt() {
        FailureFlood flood = new FailureFlood();
        flood.tripsOn(record(null, false, null));
        for (int i = 0; i < 2 * FailureFlood.REQUESTS; i++) assertThat(flood.tripsOn(record("http_5xx", false, null))).isFalse();
        FailureFlood aside = new FailureFlood();
        for (int i = 0; i < 2 * FailureFlood.REQUESTS; i++) {
            assertThat(aside.tripsOn(record(null, true, null))).isFalse();
            assertThat(aside.tripsOn(record("http_5xx", false, "probe"))).isFalse();
        }
        assertThat(aside.stoppedAfter()).isNull();
    }

    private static RequestRecord record(String error, boolean cancelled, String part) {
        return new RequestRecord(new RequestRecord.Origin("s", "w", 0, 0, 0, part), true,
                new RequestRecord.Times(0, null, null, null, null, 500L, 1_000L, null, null),
                new RequestRecord.Tokens(0, TokenSource.COUNTED, 0, null, 0, 0, 0, null, null, null),
                new RequestRecord.Outcome(null, error, error, error, error == null ? 200 : 429, cancelled), new RequestRecord.Answer(null, 0, ""),
                null, null, null);
    }
}
