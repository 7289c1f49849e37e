package io.tokensiege.common.analysis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.metric.TokenSource;
import io.tokensiege.common.plan.Slo;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KneeFinderTest {
    private static final Slo SLO = new Slo(1000L, null, 20.0, 0.01);

    /** A level of a sweep with the numbers that matter to the knee. */
    static StepResult level(int c, double aggregate, double ttftP50, double ttftP95, double decodeP50, double errorRate) {
        return level(c, aggregate, ttftP50, ttftP95, decodeP50, errorRate, null);
    }

    static StepResult level(int c, double aggregate, double ttftP50, double ttftP95, double decodeP50, double errorRate, ServerView server) {
        Percentiles ttft = new Percentiles(10, ttftP50, ttftP95, ttftP95, ttftP95, ttftP95, ttftP50);
        Percentiles decode = new Percentiles(10, decodeP50, decodeP50, decodeP50, decodeP50, decodeP50, decodeP50);
        Percentiles e2e = new Percentiles(10, 4000, 4000, 4000, 4000, 4000, 4000);
        return new StepResult(new StepResult.Identity("s" + c, "t / sweep @" + c, "t", "sweep", "CLOSED", c, 1, 1, false),
                Map.of(),
                new StepResult.Outcome(10, 10, Map.of(), 0, errorRate, List.of()),
                new StepResult.Distributions(ttft, ttft, ttft, e2e, Percentiles.EMPTY, Percentiles.EMPTY, decode, Percentiles.EMPTY),
                new StepResult.Throughput(aggregate, c / 4.0, 15, null),
                new StepResult.WarmTurns(null, null, null, null, null),
                null, Fairness.NONE, AnswerSanity.NONE,
                new StepResult.Checks(null, List.of(), List.of(), false, null),
                null, null, null, server, null, null, Map.of());
    }

    @Test
    void anOpenLoopsWaitAtTheClientsCap_isNamedAsTheClients_notTheServers() {
        StepResult capped = withOpen(level(16, 190, 2_000, 2_500, 45, 0), new OpenLoopStats(8, 6.2, 120, 53, 1_940, 2_900,
                new Percentiles(60, 4_100, 7_000, 8_000, 8_000, 8_000, 4_100), 5_000));
        assertThat(KneeFinder.clientHeld(capped)).get().isEqualTo("; 1.9 s of the 4.1 s TTFT p50 from the intended start was arrivals waiting"
                + " client-side for one of the 16 places under max_in_flight (schedule lag p50), not in the server's queue");
        StepResult onTime = withOpen(level(16, 190, 2_000, 2_500, 45, 0), new OpenLoopStats(8, 7.9, 120, 0, 40, 90,
                new Percentiles(60, 2_050, 2_500, 2_600, 2_600, 2_600, 2_050), 3_000));
        assertThat(KneeFinder.clientHeld(onTime)).isEmpty();
        assertThat(KneeFinder.clientHeld(level(16, 190, 2_000, 2_500, 45, 0))).as("a closed loop").isEmpty();
    }

    @Test
    void anOpenLoopThatSendsFarFewerThanItsDueArrivals_collapsesAtThatRate_evenWhileItsThroughputStillGrew() {
        // The llama.cpp run: 1 req/s kept up; at 4 req/s (80 due in 20 s) it sent 24, each held 27.7 s at max_in_flight 4 for a
        // server that answered in 86 ms, while its throughput rose 23 % (so it was not "flat").
        StepResult one = withOpen(level(1, 192.75, 179, 2_605, 61, 0), new OpenLoopStats(1, 1.1, 20, 0, 2.7, 2_950,
                new Percentiles(22, 179, 2_605, 2_605, 2_605, 2_605, 179), 3_000));
        StepResult four = withOpen(level(4, 237, 86, 129, 61, 0), new OpenLoopStats(4, 1.2, 80, 0, 27_734, 50_000,
                new Percentiles(24, 27_820, 50_725, 50_725, 50_725, 50_725, 27_820), 30_000));
        Collapse c = KneeFinder.find(List.of(withWindow(one, 20), withWindow(four, 20)), null);
        assertThat(c.collapseLevel()).isEqualTo(4.0);
        assertThat(c.rule()).isEqualTo("falls_behind");
        assertThat(c.usableConcurrency()).isEqualTo(1.0);
        assertThat(c.why()).isEqualTo("sent 1.2 req/s of the 4 asked (80 arrivals due), the rest held at max_in_flight 4 for 27.7 s (schedule lag p50)"
                + " while the server took 86 ms to a first token");
        // Sending all it was due, on time, is keeping up, whatever the draw gave.
        assertThat(KneeFinder.fallsBehind(withWindow(one, 20))).isFalse();
    }

    private static StepResult withWindow(StepResult r, double seconds) {
        return new StepResult(r.identity(), r.workerShares(), r.outcome(), r.dist(), new StepResult.Throughput(r.throughput().aggregateTokS(),
                r.throughput().requestRate(), seconds, null), r.warm(), r.reasoningShare(), r.fairness(), r.sanity(), r.checks(), r.open(), r.start(),
                r.promptSize(), r.server(), r.connections(), r.agents(), r.parts());
    }

    private static StepResult withOpen(StepResult r, OpenLoopStats open) {
        return new StepResult(r.identity(), r.workerShares(), r.outcome(), r.dist(), r.throughput(), r.warm(), r.reasoningShare(), r.fairness(), r.sanity(),
                r.checks(), open, r.start(), r.promptSize(), r.server(), r.connections(), r.agents(), r.parts());
    }

    @Test
    void ttftGrowingWhileTheServersPromptTimeStaysFlat_isExplainedAsQueueingForASlot() {
        ServerView flat = new ServerView(10, 60.0, 0.0, 40.0, 45.0, 1000, 0, null);
        Collapse queued = KneeFinder.find(List.of(level(1, 50, 90, 100, 50, 0, flat), level(4, 180, 100, 120, 45, 0, flat),
                level(16, 190, 2_400, 4_000, 45, 0, new ServerView(10, 45.0, 0.0, 42.0, 50.0, 1000, 0, null))), SLO);
        assertThat(queued.line()).contains("TTFT p50 grew 90 ms -> 2.4 s while the server's own prompt time was 40 ms -> 42 ms: most of the wait is queueing for a slot");
        // Prompt time growing with TTFT is slow prefill, not queueing: no such sentence.
        Collapse prefill = KneeFinder.find(List.of(level(1, 50, 90, 100, 50, 0, flat),
                level(16, 190, 2_400, 4_000, 45, 0, new ServerView(10, 45.0, 0.0, 2_000.0, 2_500.0, 1000, 0, null))), SLO);
        assertThat(prefill.line()).doesNotContain("queueing for a slot");
    }

    @Test
    void littlesLawInFlight_pairsTheRateOfSuccessesWithTheirTime_fastErrorsDoNotInflateIt() {
        // 2 requests/s complete at 8 streams, half of them errors; successes take 4 s each: 1/s × 4 s = 4 in flight, not 8.
        Collapse c = KneeFinder.find(List.of(level(1, 50, 90, 100, 50, 0), level(8, 200, 100, 120, 45, 0.5)), SLO);
        assertThat(c.levels().get(0).littlesLawInFlight()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(c.levels().get(1).littlesLawInFlight()).isCloseTo(4.0, org.assertj.core.data.Offset.offset(1e-9));
    }

    /** A level of agent sessions: turn 1 (cold) and turns 2+ (warm) TTFT p50, and the server's cached share of warm prompts (null: not counted). */
    static StepResult sessions(int c, double coldMs, double warmMs, Double cachedShare) {
        StepResult r = level(c, 40.0 * c, warmMs, warmMs, 40, 0);
        AgentView agents = new AgentView(List.of(), coldMs, warmMs, cachedShare, c, 0, null, 0, 0, 0, null);
        return new StepResult(r.identity(), r.workerShares(), r.outcome(), r.dist(), r.throughput(), r.warm(), r.reasoningShare(), r.fairness(), r.sanity(),
                r.checks(), r.open(), r.start(), r.promptSize(), r.server(), r.connections(), agents, r.parts());
    }

    @Test
    void warmTurnsAsSlowAsColdOnes_areACacheCollapse_unlessTheServerCountsItsCacheStillWorking() {
        StepResult base = sessions(1, 1_000, 60, 0.97);
        // Every turn waits for a slot: warm and cold read alike, but the server still serves 96% of warm prompts from its cache.
        assertThat(CacheCollapse.at(base, sessions(16, 5_500, 5_000, 0.96))).isEmpty();
        // The share fell as well: a collapse, by both readings.
        assertThat(CacheCollapse.at(base, sessions(16, 5_500, 5_000, 0.10))).hasValueSatisfying(why -> assertThat(why)
                .startsWith("cache collapse: warm turns as slow as cold ones").contains("fell from 97% to 10%"));
        // A server that does not count its cache hits: the times alone decide.
        assertThat(CacheCollapse.at(sessions(1, 1_000, 60, null), sessions(16, 5_500, 5_000, null))).isPresent();
    }

    @Test
    void aServerWithAsManySlotsAsStreams_isNeverSaidToQueue() {
        // llama.cpp --parallel 16 with long prompts: at 16 streams TTFT grew, its prompt time did not, and decode time alone
        // counts few sequences at once (a prefill holds its slot outside the decode). Nothing waited for a slot.
        ServerView sixteen = new ServerView(10, 60.0, 0.0, 40.0, 45.0, 1000, 0, 16);
        Collapse c = KneeFinder.find(List.of(level(1, 45, 350, 370, 45, 0, sixteen), level(16, 46, 14_000, 14_500, 45, 0,
                new ServerView(10, 45.0, 0.0, 42.0, 50.0, 1000, 0, 16))), SLO);
        assertThat(c.collapseLevel()).isEqualTo(16.0);
        assertThat(c.line()).contains("decodes about 1 request at once (it has 16 slots)").doesNotContain("queues the rest")
                .contains("most of the wait is outside its prompt processing, yet not for a slot (at most 16 requests in flight, 16 slots)")
                .doesNotContain("queueing for a slot");
        // A mixed step's probe runs beside the 16 streams, one per worker: 17 in flight on 16 slots can wait for one.
        StepResult mixed = level(16, 46, 14_000, 14_500, 45, 0, new ServerView(10, 45.0, 0.0, 42.0, 50.0, 1000, 0, 16));
        mixed = new StepResult(mixed.identity(), Map.of("w1", 16), mixed.outcome(), mixed.dist(), mixed.throughput(), mixed.warm(), mixed.reasoningShare(),
                mixed.fairness(), mixed.sanity(), mixed.checks(), mixed.open(), mixed.start(), mixed.promptSize(), mixed.server(), mixed.connections(),
                mixed.agents(), Map.of("probe", new PartView(5, 0, 80.0, 90.0, 100.0, 40.0)));
        assertThat(KneeFinder.maxInFlight(mixed)).isEqualTo(17);
        assertThat(KneeFinder.find(List.of(level(1, 45, 350, 370, 45, 0, sixteen), mixed), SLO).line()).contains("most of the wait is queueing for a slot");
        // The same server with 4 slots at 16 streams: they queue.
        ServerView four = new ServerView(10, 45.0, 0.0, 42.0, 50.0, 1000, 0, 4);
        Collapse q = KneeFinder.find(List.of(level(1, 45, 350, 370, 45, 0, four), level(16, 46, 14_000, 14_500, 45, 0, four)), SLO);
        assertThat(q.line()).contains("decodes about 1 request at once (it has 4 slots) and queues the rest").contains("most of the wait is queueing for a slot");
    }

    @Test
    void serialServer_stopsScaling_andDecodesOneAtATime() {
        Collapse c = KneeFinder.find(List.of(level(1, 45, 350, 370, 45, 0), level(4, 45.5, 14_000, 14_500, 45, 0), level(8, 45, 33_000, 33_500, 45, 0)), SLO);
        assertThat(c.collapseLevel()).isEqualTo(4.0);
        assertThat(c.rule()).isEqualTo("throughput_stopped_scaling");
        assertThat(c.usableConcurrency()).isEqualTo(1.0);
        assertThat(c.parallelism()).isCloseTo(1.0, within(0.05));
        assertThat(c.line()).contains("collapses at 4").contains("aggregate +1% for 4x streams").contains("decodes about 1 request at once and queues the rest");
    }

    @Test
    void batchingServer_breaksTheDecodeSlo_beforeThroughputFlattens() {
        Collapse c = KneeFinder.find(List.of(level(1, 43, 170, 180, 43, 0), level(4, 120, 380, 650, 29, 0), level(8, 172, 520, 700, 21.5, 0),
                level(16, 220, 440, 500, 13.7, 0)), SLO);
        assertThat(c.collapseLevel()).isEqualTo(16.0);
        assertThat(c.rule()).isEqualTo("slo_breached");
        assertThat(c.usableConcurrency()).isEqualTo(8.0);
        assertThat(c.levels().get(1).scalingEfficiency()).isCloseTo(120.0 / (43 * 4), within(1e-9));
        assertThat(c.parallelism()).isCloseTo(220 / 13.7, within(1e-9));
    }

    @Test
    void errorsAboveTheLimit_areTheRule_andNoCollapseMeansNone() {
        Collapse errors = KneeFinder.find(List.of(level(1, 43, 170, 180, 43, 0), level(4, 150, 200, 220, 40, 0.2)), SLO);
        assertThat(errors.rule()).isEqualTo("errors");
        assertThat(errors.collapseLevel()).isEqualTo(4.0);
        Collapse fine = KneeFinder.find(List.of(level(1, 43, 170, 180, 43, 0), level(2, 85, 175, 185, 42, 0)), SLO);
        assertThat(fine.collapseLevel()).isNull();
        assertThat(fine.usableConcurrency()).isEqualTo(2.0);
        assertThat(fine.line()).contains("no collapse up to 2");
    }

    @Test
    void jainsIndex_isOneWhenEven_andOneOverNWhenOneTakesAll() {
        assertThat(Fairness.jain(new double[] {5, 5, 5, 5})).isEqualTo(1.0);
        assertThat(Fairness.jain(new double[] {9, 0, 0})).isCloseTo(1.0 / 3, within(1e-12));
        RequestRecord slow = record(4_000_000L, 10.0);
        RequestRecord fast = record(100_000L, 40.0);
        Fairness f = Fairness.of(List.of(fast, fast, fast, slow), 1.0);
        assertThat(f.starved()).isEqualTo(1); // 4 s against a 100 ms median
        assertThat(f.jainDecode()).isCloseTo(Math.pow(130, 2) / (4 * (3 * 1600 + 100)), within(1e-12));
    }

    @Test
    void sendOrderKept_isOneForFifo_andZeroWhenReversed() {
        List<RequestRecord> fifo = new java.util.ArrayList<>();
        List<RequestRecord> lifo = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            fifo.add(sent(i * 1000L, 5_000)); // all wait alike: first tokens in send order
            lifo.add(sent(i * 1000L, (50 - i) * 10_000L)); // later sends are served first
        }
        assertThat(Fairness.of(fifo, 1.0).sendOrderKept()).isEqualTo(1.0);
        assertThat(Fairness.of(lifo, 1.0).sendOrderKept()).isEqualTo(0.0);
        assertThat(Fairness.of(fifo, 1.0).ttftP50MsByWorker()).containsOnlyKeys("w");
        assertThat(Fairness.of(fifo, 20.0).ttftP50MsByWorker().get("w")).as("in the target's own time").isEqualTo(20 * 5.0);
    }

    @Test
    void agentsColdFirstTurns_areNotStarved_butAWarmTurnFarBehindTheOthersIs() {
        List<RequestRecord> turns = new java.util.ArrayList<>();
        for (int session = 1; session <= 3; session++) {
            turns.add(agentTurn(session, 1, false, 20_000_000L)); // a cold 10K prefill: 40x the warm turns, by nature
            turns.add(agentTurn(session, 1, true, 500_000L)); // its follow-up reads the cached conversation
            turns.add(agentTurn(session, 2, false, 500_000L));
        }
        assertThat(Fairness.of(turns, 1.0).starved()).isZero();
        turns.add(agentTurn(4, 2, false, 5_000_000L)); // a warm turn 10x its peers: starved
        assertThat(Fairness.of(turns, 1.0).starved()).isEqualTo(1);
    }

    private static RequestRecord agentTurn(int session, int userTurn, boolean followUp, long ttftMicros) {
        return new RequestRecord(new RequestRecord.Origin("s", "w", 0, 0, 0, null),
                true,
                new RequestRecord.Times(session * 1_000_000L, null, ttftMicros, ttftMicros, ttftMicros, 1000L, ttftMicros + 1, 1L, 40.0),
                new RequestRecord.Tokens(10, TokenSource.USAGE, 10, null, 0, 10, 0, null, null, 10),
                new RequestRecord.Outcome("stop", null, null, null, 200, false),
                new RequestRecord.Answer("id", 10, "x"),
                null, null, new RequestRecord.AgentTurn(session, userTurn, followUp, 0, null, false, 2));
    }

    private static RequestRecord sent(long sendMicros, long ttftMicros) {
        return new RequestRecord(new RequestRecord.Origin("s", "w", 0, 0, 0, null),
                true,
                new RequestRecord.Times(sendMicros, null, ttftMicros, ttftMicros, ttftMicros, 1000L, ttftMicros + 1, 1L, 40.0),
                new RequestRecord.Tokens(10, TokenSource.USAGE, 10, null, 0, 10, 0, null, null, 10),
                new RequestRecord.Outcome("stop", null, null, null, 200, false),
                new RequestRecord.Answer("id", 10, "x"),
                null, null, null);
    }

    @Test
    void aSaturatedWorker_flagsTheStepClientBound() {
        var target = new io.tokensiege.common.plan.Target("t", "http://x/v1", "m", null, Map.of(), Map.of(), null);
        var step = new io.tokensiege.common.protocol.StepSpec("s1", 0, io.tokensiege.common.protocol.StepKind.CLOSED, target, "c", 8, 1, 0, 1000, 0, 0,
                10, 0, 8, true, 0, List.of(), io.tokensiege.common.plan.Timeouts.DEFAULT, 1, "n", null, null, null);
        var calm = totals(new io.tokensiege.common.protocol.StepTotals.WorkerHealth(3_000, 0.40, 5));
        var busy = totals(new io.tokensiege.common.protocol.StepTotals.WorkerHealth(45_000, 0.98, 120));
        assertThat(StepAnalyzer.clientBound(step, List.of(new StepAnalyzer.Share("w1", 4, calm, List.of())))).isEmpty();
        assertThat(StepAnalyzer.clientBound(step, List.of(new StepAnalyzer.Share("w1", 4, calm, List.of()), new StepAnalyzer.Share("w2", 4, busy, List.of()))))
                .hasValueSatisfying(f -> assertThat(f.message()).contains("w2 (event-loop delay p90 45 ms, CPU 98 % on average, GC 120 ms)").doesNotContain("w1"));
    }

    @Test
    void aWorkerThatSentScheduledArrivalsLate_flagsTheStepClientBound_atTheTail() {
        var target = new io.tokensiege.common.plan.Target("t", "http://x/v1", "m", null, Map.of(), Map.of(), null);
        var step = new io.tokensiege.common.protocol.StepSpec("s1", 0, io.tokensiege.common.protocol.StepKind.OPEN, target, "c", 8, 1, 0, 1000, 0, 0,
                10, 0, 8, true, 0, List.of(), io.tokensiege.common.plan.Timeouts.DEFAULT, 1, "n", null, null, null);
        // A calm event loop and CPU, but one send in a hundred 213 ms late: that request's ttft_intended carries it.
        var stalled = new io.tokensiege.common.protocol.StepTotals.WorkerHealth(1_000, 0.20, 0, 213_000L, 213_500L);
        var onTime = new io.tokensiege.common.protocol.StepTotals.WorkerHealth(1_000, 0.20, 0, 20_000L, 25_000L);
        assertThat(stalled.clientBound()).isTrue();
        assertThat(onTime.clientBound()).isFalse();
        assertThat(new io.tokensiege.common.protocol.StepTotals.WorkerHealth(1_000, 0.20, 0).sentLate()).isFalse();
        assertThat(StepAnalyzer.clientBound(step, List.of(new StepAnalyzer.Share("w1", 4, totals(onTime), List.of()), new StepAnalyzer.Share("w2", 4, totals(stalled), List.of()))))
                .hasValueSatisfying(f -> assertThat(f.message()).contains("w2 (event-loop delay p90 1 ms, CPU 20 % on average, GC 0 ms,"
                        + " scheduled arrivals sent late by the worker itself p99 213 ms (max 214 ms), which their ttft_intended includes)").doesNotContain("w1"));
    }

    @Test
    void aShareStoppedByAFailureFlood_flagsTheStep_namingTheWorker() {
        var target = new io.tokensiege.common.plan.Target("t", "http://x/v1", "m", null, Map.of(), Map.of(), null);
        var step = new io.tokensiege.common.protocol.StepSpec("s1", 0, io.tokensiege.common.protocol.StepKind.CLOSED, target, "c", 8, 1, 0, 1000, 0, 0,
                10, 0, 8, true, 0, List.of(), io.tokensiege.common.plan.Timeouts.DEFAULT, 1, "n", null, null, null);
        var t = totals(io.tokensiege.common.protocol.StepTotals.WorkerHealth.UNKNOWN);
        var stopped = new io.tokensiege.common.protocol.StepTotals(t.windowStartEpochMicros(), t.windowMicros(), t.tokensInWindow(), t.completedInWindow(),
                t.started(), t.completed(), t.errorsByClass(), t.cancelledAtEnd(), t.histograms(), t.clampedValues(), t.scheduledInWindow(), t.notSent(),
                t.startLateMicros(), t.startCoreWaitMicros(), t.health(), t.connections(), t.decodingMicrosInWindow(), 1_000);
        assertThat(StepAnalyzer.failureFlood(step, List.of(new StepAnalyzer.Share("w1", 4, t, List.of())))).isEmpty();
        assertThat(StepAnalyzer.failureFlood(step, List.of(new StepAnalyzer.Share("w1", 4, t, List.of()), new StepAnalyzer.Share("w2", 4, stopped, List.of()))))
                .hasValueSatisfying(f -> assertThat(f.message()).startsWith("w2 stopped after the first 1000 requests all failed"));
    }

    private static io.tokensiege.common.protocol.StepTotals totals(io.tokensiege.common.protocol.StepTotals.WorkerHealth health) {
        return new io.tokensiege.common.protocol.StepTotals(0, 1_000_000, 100, 10, 10, 10, Map.of(), 0, Map.of(), 0, 0, 0, 0L, null, health, null, 0);
    }

    @Test
    void answerSanity_countsEmptyCutOffAndDegenerate() {
        assertThat(AnswerSanity.isDegenerate("the the the the the the the the the")).isTrue();
        assertThat(AnswerSanity.isDegenerate("!!!!!!!!!!!!!!!!!!!!!!!!!!!!")).isTrue();
        assertThat(AnswerSanity.isDegenerate("The agent reads the request and answers with a short plan")).isFalse();
        RequestRecord ok = record(1000, 40);
        AnswerSanity s = AnswerSanity.of(List.of(ok, ok, ok, ok));
        assertThat(s.cutOffShare()).isZero();
        assertThat(s.degenerateShare()).isZero();
    }

    private static RequestRecord record(long ttftMicros, double decode) {
        return new RequestRecord(new RequestRecord.Origin("s", "w", 0, 0, 0, null),
                true,
                new RequestRecord.Times(0, null, ttftMicros, ttftMicros, ttftMicros, 1000L, ttftMicros + 1, 1L, decode),
                new RequestRecord.Tokens(10, TokenSource.USAGE, 10, null, 0, 10, 0, null, null, 10),
                new RequestRecord.Outcome("stop", null, null, null, 200, false),
                new RequestRecord.Answer("id", 10, "x"),
                null, null, null);
    }
}
