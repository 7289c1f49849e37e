package io.tokensiege.coordinator.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.protocol.ConnectionStats;
import org.junit.jupiter.api.Test;

/** The connection line says what the server did, not a guess at why. */
class ConnectionNoteTest {
    @Test
    void idleClosesSoonerThanTheAdvertisedTimeout_saySo_andOnesAtItDoNot() {
        ConnectionStats early = new ConnectionStats(12, 0, 30, 0, 0, 5, 200, 0, 0, "timeout=5, max=100", false);
        assertThat(ConnectionNote.describe(early, null))
                .contains("closed 5 idle connections (the soonest 0.2 s after it was last used, sooner than the timeout=5 it advertises)");
        ConnectionStats onTime = new ConnectionStats(12, 0, 30, 0, 0, 1, 5_010, 0, 0, "timeout=5, max=100", false);
        assertThat(ConnectionNote.describe(onTime, null)).contains("closed 1 idle connection (the soonest 5.0 s after it was last used)");
        ConnectionStats silent = new ConnectionStats(12, 0, 30, 0, 0, 1, 700, 0, 0, null, false);
        assertThat(ConnectionNote.describe(silent, null)).contains("closed 1 idle connection (the soonest 0.7 s after it was last used)");
    }
}
