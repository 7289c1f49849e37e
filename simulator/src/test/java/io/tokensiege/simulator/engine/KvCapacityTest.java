package io.tokensiege.simulator.engine;

import static io.tokensiege.simulator.engine.EngineTest.runToIdle;
import static io.tokensiege.simulator.engine.EngineTest.text;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The KV capacity: requests that do not fit wait, running sequences that outgrow it are preempted and recompute (see Engine). */
class KvCapacityTest {
    private static final long MS = 1_000_000L;

    /** 4 slots, 10 ms a decode step whatever the batch, prefill 1,000 tok/s, no prefix cache. */
    private static EngineConfig config(int kvCapacityTokens) {
        return EngineConfig.simple(4, 10, 0, 1000).withKvCapacityTokens(kvCapacityTokens);
    }

    @Test
    void theJavadocExample_secondSequencePreemptedAfter100Tokens_resumesWhenTheFirstFinishes() {
        var rec = new EngineTest.Recording();
        var engine = new Engine(config(1000), rec);
        engine.submit(new SimRequest(1, text(400, 'a'), 400, 200), 0);
        engine.submit(new SimRequest(2, text(400, 'b'), 400, 200), 0);
        runToIdle(engine);

        // Both prefill 400 tokens in one iteration (800 ms), then decode a token every 10 ms.
        assertThat(rec.tokenTimes.get(2L).get(99)).isEqualTo(1790 * MS);
        // Holding 2 x (400 + 100 + 1) = 1,002 > 1,000 at 1,790 ms: the last admitted (#2) goes back to the queue.
        assertThat(rec.preempted.get(2L)).containsExactly(1790 * MS);
        assertThat(rec.preempted).doesNotContainKey(1L);
        assertThat(rec.tokenTimes.get(1L).get(199)).isEqualTo(2790 * MS);
        assertThat(rec.finished.get(1L)).isEqualTo(2790 * MS);
        // #2 resumes as #1 leaves, recomputes 400 + 100 tokens (500 ms), then goes on from token 100.
        assertThat(rec.resumed.get(2L)).containsExactly(2790 * MS);
        assertThat(rec.tokenTimes.get(2L)).hasSize(200);
        assertThat(rec.tokenTimes.get(2L).get(100)).isEqualTo(3290 * MS);
        assertThat(rec.finished.get(2L)).isEqualTo(3290 * MS + 99 * 10 * MS);
        assertThat(rec.admitted.get(2L)).as("the first admission stays the request's own").isZero();
    }

    @Test
    void requestThatDoesNotFit_waitsUntilMemoryIsFreed() {
        var rec = new EngineTest.Recording();
        var engine = new Engine(config(1000), rec);
        engine.submit(new SimRequest(1, text(600, 'a'), 600, 10), 0);
        engine.submit(new SimRequest(2, text(600, 'b'), 600, 10), 0);
        runToIdle(engine);

        // 601 + 601 > 1,000: #2 waits although slots are free; #1 prefills 600 ms, then 9 steps of 10 ms.
        assertThat(rec.finished.get(1L)).isEqualTo(690 * MS);
        assertThat(rec.admitted.get(2L)).isEqualTo(690 * MS);
        assertThat(rec.first(2L)).isEqualTo(1290 * MS);
        assertThat(rec.preempted).isEmpty();
    }

    @Test
    void aWaitingHead_isNotOvertakenByASmallerRequestBehindIt() {
        var rec = new EngineTest.Recording();
        var engine = new Engine(config(1000), rec);
        engine.submit(new SimRequest(1, text(600, 'a'), 600, 10), 0);
        engine.submit(new SimRequest(2, text(600, 'b'), 600, 10), 0);
        engine.submit(new SimRequest(3, text(10, 'c'), 10, 10), 0); // would fit beside #1, but FIFO
        runToIdle(engine);
        assertThat(rec.admitted.get(3L)).isEqualTo(rec.admitted.get(2L)).isEqualTo(690 * MS);
    }

    @Test
    void aSequenceAlone_longerThanTheCapacity_stillCompletes() {
        var rec = new EngineTest.Recording();
        var engine = new Engine(config(100), rec);
        engine.submit(new SimRequest(1, text(90, 'a'), 90, 50), 0);
        runToIdle(engine);
        assertThat(rec.tokenTimes.get(1L)).hasSize(50);
        assertThat(rec.preempted).isEmpty();
    }

    @Test
    void withoutACapacity_nothingWaitsForMemory() {
        var rec = new EngineTest.Recording();
        var engine = new Engine(config(0), rec);
        for (long id = 1; id <= 4; id++) engine.submit(new SimRequest(id, text(5000, (char) ('a' + id)), 5000, 100), 0);
        runToIdle(engine);
        assertThat(rec.admitted.values()).containsOnly(0L);
        assertThat(rec.preempted).isEmpty();
        List<Integer> counts = IntStream.rangeClosed(1, 4).mapToObj(id -> rec.tokenTimes.get((long) id).size()).toList();
        assertThat(counts).containsOnly(100);
    }
}
