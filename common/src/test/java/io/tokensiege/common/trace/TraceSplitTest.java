package io.tokensiege.common.trace;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.chat.ChatMessage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A trace's records over workers: deterministic, in proportion to the shares, interleaved in time, sessions whole. */
class TraceSplitTest {
    private static TraceRecord r(int line, String session, int turn) {
        return new TraceRecord(line, line, List.of(new ChatMessage("user", "q" + line)), null, null, null, null, session, turn);
    }

    @Test
    void unitsAreDealtByWeight_interleaved_andSessionsStayOnOneWorker() {
        List<TraceRecord> records = new ArrayList<>();
        int line = 1;
        for (int i = 0; i < 10; i++) {
            records.add(r(line++, "s" + i, 1)); // ten sessions of two turns, their second turns after everyone's first
        }
        for (int i = 0; i < 10; i++) records.add(r(line++, "s" + i, 2));
        for (int i = 0; i < 5; i++) records.add(r(line++, null, 0)); // and five standalone requests
        List<List<TraceRecord>> units = Trace.units(records);
        assertThat(units).hasSize(15);

        List<List<TraceRecord>> split = TraceSplit.split(units, new int[] {2, 1, 0});
        assertThat(split.get(2)).isEmpty(); // no weight, no records
        assertThat(split.get(0).size() + split.get(1).size()).isEqualTo(records.size());
        // 15 units at 2:1 are 10 and 5.
        assertThat(Trace.units(split.get(0))).hasSize(10);
        assertThat(Trace.units(split.get(1))).hasSize(5);
        for (List<TraceRecord> share : split) {
            assertThat(share).extracting(TraceRecord::line).isSorted(); // trace order kept
            for (TraceRecord x : share) {
                if (x.session() == null) continue;
                assertThat(share).as("both turns of %s on one worker", x.session()).filteredOn(y -> x.session().equals(y.session())).hasSize(2);
            }
        }
        // Interleaved: the second worker gets units from the whole trace, not only its end.
        assertThat(split.get(1).get(0).line()).isLessThanOrEqualTo(3);
        assertThat(TraceSplit.split(units, new int[] {2, 1, 0})).isEqualTo(split); // deterministic
    }
}
