package io.tokensiege.simulator.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EngineTest {
    private static final long MS = 1_000_000L;

    /** Records what the engine emits, keyed by request id. */
    static final class Recording implements EngineListener {
        final Map<Long, List<Long>> tokenTimes = new HashMap<>();
        final Map<Long, List<Channel>> channels = new HashMap<>();
        final Map<Long, Long> admitted = new HashMap<>();
        final Map<Long, Integer> cached = new HashMap<>();
        final Map<Long, Long> finished = new HashMap<>();
        final Map<Long, Long> queued = new HashMap<>();
        final Map<Long, List<Long>> preempted = new HashMap<>();
        final Map<Long, List<Long>> resumed = new HashMap<>();
        int iterations;

        @Override
        public void onPreempted(long id, long simNanos) {
            preempted.computeIfAbsent(id, k -> new ArrayList<>()).add(simNanos);
        }

        @Override
        public void onResumed(long id, long simNanos) {
            resumed.computeIfAbsent(id, k -> new ArrayList<>()).add(simNanos);
        }

        @Override
        public void onQueued(long id, long simNanos) {
            queued.put(id, simNanos);
        }

        @Override
        public void onIterationCompleted(long simNanos) {
            iterations++;
        }

        @Override
        public void onAdmitted(long id, long simNanos, int cachedTokens) {
            admitted.put(id, simNanos);
            cached.put(id, cachedTokens);
        }

        @Override
        public void onToken(long id, int index, Channel channel, long simNanos) {
            tokenTimes.computeIfAbsent(id, k -> new ArrayList<>()).add(simNanos);
            channels.computeIfAbsent(id, k -> new ArrayList<>()).add(channel);
        }

        @Override
        public void onFinished(long id, long simNanos) {
            finished.put(id, simNanos);
        }

        long first(long id) {
            return tokenTimes.get(id).get(0);
        }
    }

    static void runToIdle(Engine engine) {
        for (int guard = 0; engine.nextEventNanos() != Long.MAX_VALUE && guard < 1_000_000; guard++) {
            engine.advanceTo(engine.nextEventNanos());
        }
    }

    static String text(int tokens, char fill) {
        return String.valueOf(fill).repeat((int) (tokens * PromptTokenizer.DEFAULT_CHARS_PER_TOKEN));
    }

    @Test
    void eightRequestsOnFourSlots_secondFourStartWhenFirstFourFinish() {
        var rec = new Recording();
        // 100 tok/s prefill of 10 tokens = 100 ms; decode step 10 + 5*active ms.
        var engine = new Engine(EngineConfig.simple(4, 10, 5, 100), rec);
        for (long id = 1; id <= 8; id++) engine.submit(new SimRequest(id, text(10, (char) ('a' + id)), 10, 3), 0);
        runToIdle(engine);

        // First four: one iteration of 4 × 100 ms prefill, first token at 400 ms, then 2 steps of 30 ms.
        for (long id = 1; id <= 4; id++) {
            assertThat(rec.admitted.get(id)).isEqualTo(0);
            assertThat(rec.tokenTimes.get(id)).containsExactly(400 * MS, 430 * MS, 460 * MS);
        }
        // Second four are admitted at 460 ms, exactly when the first four finish.
        for (long id = 5; id <= 8; id++) {
            assertThat(rec.admitted.get(id)).isEqualTo(rec.finished.get(1L)).isEqualTo(460 * MS);
            assertThat(rec.tokenTimes.get(id)).containsExactly(860 * MS, 890 * MS, 920 * MS);
        }
    }

    @Test
    void iterations_countForwardPassesOnly_andQueuedRequestsAreStampedOnArrival() {
        var rec = new Recording();
        var engine = new Engine(EngineConfig.simple(4, 10, 5, 100), rec);
        for (long id = 1; id <= 8; id++) engine.submit(new SimRequest(id, text(10, (char) ('a' + id)), 10, 3), 0);
        runToIdle(engine);
        // Each group of four: one pass of prefill that emits the first tokens, then two decode passes. The idle
        // engine's wake-up boundary at 0 ms did no work and is not a pass.
        assertThat(rec.iterations).isEqualTo(3 + 3);
        assertThat(rec.queued).hasSize(8).allSatisfy((id, at) -> assertThat(at).isZero());
    }

    @Test
    void decodeStepCost_growsWithActiveSequences() {
        var rec = new Recording();
        var engine = new Engine(EngineConfig.simple(16, 6, 13.6, 1_000_000), rec);
        engine.submit(new SimRequest(1, "x", 1, 11), 0);
        runToIdle(engine);
        List<Long> one = rec.tokenTimes.get(1L);
        assertThat(one.get(10) - one.get(0)).isEqualTo(10 * 19_600_000L); // 51 tok/s alone

        var rec4 = new Recording();
        var engine4 = new Engine(EngineConfig.simple(16, 6, 13.6, 1_000_000), rec4);
        for (long id = 1; id <= 4; id++) engine4.submit(new SimRequest(id, "y" + id, 1, 11), 0);
        runToIdle(engine4);
        List<Long> four = rec4.tokenTimes.get(1L);
        assertThat(four.get(10) - four.get(0)).isEqualTo(10 * 60_400_000L); // 6 + 4 × 13.6 ms per step
    }

    @Test
    void warmPrefix_skipsItsPrefill() {
        var rec = new Recording();
        // 1000 tok/s prefill, cache of 100k tokens in 64-token blocks.
        var config = new EngineConfig(1, 10, 0, 1000, 0, 0, 100_000, 64, 0, 16, 0, 0, 0, "reasoning");
        var engine = new Engine(config, rec);
        String prefix = text(6400, 'p');
        engine.submit(new SimRequest(1, prefix + "first question", 6404, 1), 0);
        runToIdle(engine);
        long t = rec.finished.get(1L);
        engine.submit(new SimRequest(2, prefix + "second question!", 6404, 1), t);
        runToIdle(engine);

        assertThat(rec.cached.get(1L)).isZero();
        assertThat(rec.first(1L)).isEqualTo(6404 * MS); // 6404 tokens at 1000 tok/s
        assertThat(rec.cached.get(2L)).isEqualTo(6400);
        assertThat(rec.first(2L) - t).isEqualTo(4 * MS); // only the 4 uncached tokens
    }

    @Test
    void prefixCache_evictsLeastRecentlyUsedBeyondCapacity() {
        var cache = new PrefixCache(128, 64); // two blocks
        String a = text(128, 'a');
        String b = text(128, 'b');
        cache.insert(a);
        assertThat(cache.cachedTokens(a, 200)).isEqualTo(128);
        cache.insert(b);
        assertThat(cache.cachedTokens(a, 200)).isZero();
        assertThat(cache.cachedTokens(b, 200)).isEqualTo(128);
    }

    @Test
    void smallKvPool_makesLongPromptPayGrowthOnce() {
        var rec = new Recording();
        // 256 blocks of 16 tokens = 4,096 tokens; growth 70 ms a block; prefill 5,000 tok/s.
        var config = new EngineConfig(1, 20, 0, 5000, 0, 0, 0, 64, 0, 16, 256, 70, 0, "reasoning");
        var engine = new Engine(config, rec);
        engine.submit(new SimRequest(1, "a", 10_000, 16), 0);
        runToIdle(engine);
        long t = rec.finished.get(1L);
        engine.submit(new SimRequest(2, "b", 10_000, 16), t);
        runToIdle(engine);

        int needed = (10_000 + 16 + 15) / 16; // 627 blocks
        double growthMs = (needed - 256) * 70.0;
        assertThat(rec.first(1L)).isEqualTo(Math.round((growthMs + 2000) * MS));
        assertThat(rec.first(2L) - t).isEqualTo(2000 * MS); // the pool kept its growth
        assertThat(engine.kvPool().allocatedBlocks()).isEqualTo(needed);
        assertThat(engine.kvPool().usedBlocks()).isZero();
    }

    @Test
    void chunkedPrefill_interleavesWithDecode() {
        var rec = new Recording();
        // chunk of 100 tokens at 1000 tok/s = 100 ms of prefill per iteration.
        var config = new EngineConfig(4, 10, 0, 1000, 100, 0, 0, 64, 0, 16, 0, 0, 0, "reasoning");
        var engine = new Engine(config, rec);
        engine.submit(new SimRequest(1, "short", 1, 5), 0);
        engine.advanceTo(1 * MS); // request 1 now decodes
        engine.submit(new SimRequest(2, "long", 300, 1), 1 * MS);
        runToIdle(engine);
        // Request 1's tokens keep coming while request 2 prefills 300 tokens in three 100 ms chunks.
        List<Long> times = rec.tokenTimes.get(1L);
        // #1: first token at 1 ms, a 10 ms step, then three steps of 100 ms chunk + 10 ms decode.
        assertThat(times).containsExactly(1 * MS, 11 * MS, 121 * MS, 231 * MS, 341 * MS);
        assertThat(rec.first(2L)).isEqualTo(341 * MS);
    }

    @Test
    void reasoningPhase_streamsFirstTokensInReasoningChannel() {
        var rec = new Recording();
        var config = new EngineConfig(1, 10, 0, 1000, 0, 0, 0, 64, 0, 16, 0, 0, 3, "reasoning_content");
        var engine = new Engine(config, rec);
        engine.submit(new SimRequest(1, "q", 1, 5), 0);
        runToIdle(engine);
        assertThat(rec.channels.get(1L)).containsExactly(
                Channel.REASONING, Channel.REASONING, Channel.REASONING, Channel.CONTENT, Channel.CONTENT);
    }

    @Test
    void requestArrivingMidIteration_waitsForNextIteration() {
        var rec = new Recording();
        var engine = new Engine(EngineConfig.simple(4, 20, 0, 1000), rec);
        engine.submit(new SimRequest(1, "a", 1, 10), 0); // prefill 1 ms, then 20 ms steps
        engine.submit(new SimRequest(2, "b", 1, 1), 5 * MS);
        runToIdle(engine);
        // Iteration 1 ends at 1 ms (prefill of #1); iteration 2 (1..21 ms) is running at 5 ms,
        // so #2 is admitted at 21 ms and its 1 ms prefill rides with #1's 20 ms decode step.
        assertThat(rec.admitted.get(2L)).isEqualTo(21 * MS);
        assertThat(rec.first(2L)).isEqualTo(42 * MS);
    }
}
