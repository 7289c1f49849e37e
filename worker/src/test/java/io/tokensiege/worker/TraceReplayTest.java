package io.tokensiege.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.common.json.Json;
import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.plan.Target;
import io.tokensiege.common.plan.Timeouts;
import io.tokensiege.common.plan.TraceReader;
import io.tokensiege.common.protocol.AssignStep;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.protocol.StartStep;
import io.tokensiege.common.protocol.StepFinished;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.common.protocol.ToCoordinator;
import io.tokensiege.common.protocol.TraceChunk;
import io.tokensiege.common.protocol.WorkerFailed;
import io.tokensiege.common.protocol.WorkerReady;
import io.tokensiege.common.trace.Trace;
import io.tokensiege.common.trace.TraceRecord;
import io.vertx.core.Vertx;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A worker replaying its share of a trace against a scripted server that notes every request as it arrives: as fast
 * as the streams go (each record once, a session's turns in order), and at the trace's own pace (each record's
 * intended time exactly the trace's, never sent early, a session's turn held until its previous turn ended).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TraceReplayTest {
    private static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** What leads every request's first message: the step's nonce ("nonce" in these steps), so no other step shares its cache. */
    private static final String STEP_TAG = "[nonce] ";

    /** The last message's content of each request (without the step's tag), in the order the server got them; a request without the tag fails. */
    private static ScriptedServer server(List<String> arrivals, String holdUntilSeen, String release) throws Exception {
        CountDownLatch released = new CountDownLatch(1);
        return new ScriptedServer(r -> {
            JsonNode messages = Json.MAPPER.readTree(r.body).get("messages");
            String first = messages.get(0).get("content").asText();
            if (!first.startsWith(STEP_TAG)) throw new java.io.IOException("the first message lacks the step's tag: " + first);
            String last = messages.size() == 1 ? first.substring(STEP_TAG.length()) : messages.get(messages.size() - 1).get("content").asText();
            arrivals.add(last);
            if (last.equals(release)) released.countDown();
            // A slow answer, as long as the test needs: until a later record of the trace has arrived.
            try {
                if (last.equals(holdUntilSeen) && !released.await(20, TimeUnit.SECONDS)) throw new java.io.IOException("never released");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            r.streamChunked("", 3);
            return true;
        });
    }

    private static String line(String timing, String session, int turn, String scenario, String content) {
        return "{" + timing + (session == null ? "" : "\"session\": \"" + session + "\", \"turn\": " + turn + ", ") + "\"scenario\": \"" + scenario
                + "\", \"messages\": [{\"role\": \"user\", \"content\": \"" + content + "\"}]}\n";
    }

    private static StepFinished replay(StepSpec step, List<TraceRecord> records, int streams) throws Exception {
        CompletableFuture<Void> ready = new CompletableFuture<>();
        CompletableFuture<StepFinished> finished = new CompletableFuture<>();
        io.tokensiege.common.protocol.RecordAssembly assembly = new io.tokensiege.common.protocol.RecordAssembly(); // records come in chunks first
        WorkerAgent agent = new WorkerAgent(vertx, "w1", new SecretBox("test-token"), (ToCoordinator m) -> {
            if (m instanceof WorkerReady) ready.complete(null);
            if (m instanceof io.tokensiege.common.protocol.RecordChunk rc) assembly.add(rc);
            if (m instanceof StepFinished f) finished.complete(assembly.complete(f).finished());
            if (m instanceof WorkerFailed f) ready.completeExceptionally(new AssertionError(f.message()));
        }, List.of());
        // Through the codec, as the cluster carries them.
        for (TraceChunk c : TraceChunk.of("run", step.stepId(), "w1", records)) agent.onMessage(io.tokensiege.common.protocol.ProtocolCodec.decodeToWorker(
                io.tokensiege.common.protocol.ProtocolCodec.encode(c)));
        agent.onMessage(new AssignStep("run", step.stepId(), "w1", step, streams, 0, null));
        ready.get(30, TimeUnit.SECONDS);
        agent.onMessage(new StartStep("run", step.stepId(), (System.currentTimeMillis() + 50) * 1000));
        return finished.get(40, TimeUnit.SECONDS);
    }

    private static Target target(ScriptedServer server) {
        return new Target("scripted", server.baseUrl(), "m", null, Map.of(), Map.of(), null);
    }

    @Test
    void asFastAsPossible_sendsEveryRecordOnce_aSessionsTurnsInOrder_underItsGroup() throws Exception {
        StringBuilder jsonl = new StringBuilder();
        for (int turn = 1; turn <= 3; turn++) {
            jsonl.append(line("", "a", turn, "agent", "a-" + turn)).append(line("", "b", turn, "agent", "b-" + turn));
            jsonl.append(line("", null, 0, "chat", "c-" + turn));
        }
        Trace trace = TraceReader.parse(jsonl.toString(), "t.jsonl");
        List<String> arrivals = new CopyOnWriteArrayList<>();
        try (ScriptedServer server = server(arrivals, "", "")) {
            StepSpec step = new StepSpec("replay-c2", 0, StepKind.CLOSED, target(server), "replay", 2, 1, trace.records().size(), 0, 0, 0, 20, 0.0, 0, false,
                    0, List.of(), new Timeouts(2_000, 5_000, 5_000, 10_000), 7, "nonce", null, null, null, null, null,
                    new StepSpec.Replay("t.jsonl", "as_fast_as_possible", 1, 1, false));
            StepFinished f = replay(step, trace.records(), 2);

            assertThat(arrivals).containsExactlyInAnyOrder("a-1", "a-2", "a-3", "b-1", "b-2", "b-3", "c-1", "c-2", "c-3");
            assertThat(arrivals.stream().filter(s -> s.startsWith("a-")).toList()).containsExactly("a-1", "a-2", "a-3");
            assertThat(arrivals.stream().filter(s -> s.startsWith("b-")).toList()).containsExactly("b-1", "b-2", "b-3");
            assertThat(f.records()).hasSize(9).allSatisfy(r -> {
                assertThat(r.ok()).as(r.outcome().errorDetail()).isTrue();
                assertThat(r.measured()).isTrue(); // once through the trace: every record counts
            });
            assertThat(f.records()).filteredOn(r -> "agent".equals(r.origin().part())).hasSize(6).extracting(rec -> rec.origin().turn()).containsOnly(1, 2, 3);
            assertThat(f.records()).filteredOn(r -> "agent".equals(r.origin().part())).extracting(r -> r.agent().session()).containsOnly(0L, 1L); // sessions a and b
            assertThat(f.records()).filteredOn(r -> "chat".equals(r.origin().part())).hasSize(3);
            // A session's next turn goes out only after its previous one ended, on the same stream.
            List<RequestRecord> a = f.records().stream().filter(r -> r.origin().turn() > 0).sorted(Comparator.comparingLong(rec -> rec.times().sendEpochMicros())).toList();
            for (long session : a.stream().mapToLong(r -> r.agent().session()).distinct().toArray()) {
                List<RequestRecord> turns = a.stream().filter(r -> r.agent().session() == session).toList();
                assertThat(turns).extracting(rec -> rec.origin().stream()).as("one stream").containsOnly(turns.get(0).origin().stream());
                assertThat(turns).extracting(rec -> rec.origin().turn()).containsExactly(1, 2, 3);
                for (int i = 1; i < turns.size(); i++) {
                    assertThat(turns.get(i).times().sendEpochMicros()).isGreaterThanOrEqualTo(turns.get(i - 1).times().sendEpochMicros() + turns.get(i - 1).times().e2eMicros());
                }
            }
        }
    }

    @Test
    void asFastAsPossible_forADuration_goesRoundTheTrace_inItsOrder() throws Exception {
        Trace trace = TraceReader.parse(line("", "a", 1, "agent", "a-1") + line("", "a", 2, "agent", "a-2") + line("", null, 0, "chat", "c"), "t.jsonl");
        List<String> arrivals = new CopyOnWriteArrayList<>();
        try (ScriptedServer server = server(arrivals, "", "")) {
            StepSpec step = new StepSpec("replay-cycle", 0, StepKind.CLOSED, target(server), "replay", 1, 1, 0, 2_000, 0, 0, 20, 0.0, 0, false,
                    0, List.of(), new Timeouts(2_000, 5_000, 5_000, 10_000), 7, "nonce", null, null, null, null, null,
                    new StepSpec.Replay("t.jsonl", "as_fast_as_possible", 1, 1, true));
            StepFinished f = replay(step, trace.records(), 1);

            assertThat(arrivals.size()).as("more requests than the trace holds").isGreaterThan(3);
            List<String> order = List.of("a-1", "a-2", "c");
            for (int i = 0; i < arrivals.size(); i++) assertThat(arrivals.get(i)).as("request %d", i).isEqualTo(order.get(i % 3));
            assertThat(f.records()).filteredOn(RequestRecord::measured).isNotEmpty();
        }
    }

    @Test
    void atItsOwnPace_eachRecordKeepsTheTracesTime_andASessionsTurnWaitsForThePreviousOne() throws Exception {
        Trace trace = TraceReader.parse(line("\"timestamp\": 0, ", "s", 1, "agent", "s-1")
                + line("\"timestamp\": 0.5, ", null, 0, "chat", "a")
                + line("\"timestamp\": 1.0, ", "s", 2, "agent", "s-2")
                + line("\"timestamp\": 1.5, ", null, 0, "chat", "b"), "t.jsonl");
        double realSpeed = 5; // 0, 100, 200, 300 ms
        List<String> arrivals = new CopyOnWriteArrayList<>();
        // The server holds turn s-1's answer until record b (due after s-2) has arrived: s-2 is due while s-1 is in flight.
        try (ScriptedServer server = server(arrivals, "s-1", "b")) {
            long windowMillis = (long) Math.ceil(trace.spanMicros() / realSpeed / 1000) + 1;
            StepSpec step = new StepSpec("replay-paced", 0, StepKind.OPEN, target(server), "replay", 3, 1, 0, windowMillis, 0, 0, 20, 0.0, 0, false,
                    0, List.of(), new Timeouts(2_000, 30_000, 30_000, 30_000), 7, "nonce", new StepSpec.OpenLoop(2, 10, "trace", 1), null, null, null, null,
                    new StepSpec.Replay("t.jsonl", "scaled", realSpeed, realSpeed, false));
            StepFinished f = replay(step, trace.records(), 3);

            // Held back until s-1 ended, which was after b arrived: s-2, due before b, comes last.
            assertThat(arrivals).containsExactlyInAnyOrder("s-1", "a", "b", "s-2").endsWith("s-2");
            assertThat(f.records()).hasSize(4).allSatisfy(r -> {
                assertThat(r.ok()).as(r.outcome().errorDetail()).isTrue();
                assertThat(r.measured()).isTrue();
                assertThat(r.times().scheduleLagMicros()).as("never sent before its time").isNotNull().isGreaterThanOrEqualTo(0L);
            });
            assertThat(f.totals().scheduledInWindow()).isEqualTo(4);
            assertThat(f.totals().notSent()).isZero();
            // Intended times are the trace's, at its speed, from one anchor: 0, 100, 200 and 300 ms, whatever the sends did.
            Map<Integer, Long> intended = new java.util.HashMap<>();
            for (RequestRecord r : f.records()) intended.put(r.origin().seq(), r.times().sendEpochMicros() - r.times().scheduleLagMicros());
            for (int i = 0; i < 4; i++) {
                assertThat(intended.get(i) - intended.get(0)).as("intended offset of record %d", i).isCloseTo(i * 100_000L, org.assertj.core.data.Offset.offset(50L));
            }
            RequestRecord held = f.records().stream().filter(r -> r.origin().seq() == 2).findFirst().orElseThrow();
            RequestRecord first = f.records().stream().filter(r -> r.origin().seq() == 0).findFirst().orElseThrow();
            assertThat(held.times().sendEpochMicros()).isGreaterThanOrEqualTo(first.times().sendEpochMicros() + first.times().e2eMicros()); // after s-1 ended...
            // ...so not before b was sent, itself not before its time, 100 ms after s-2's: that wait is s-2's lag.
            assertThat(held.times().scheduleLagMicros()).isGreaterThanOrEqualTo(99_990L);
            // The wait for its session's previous turn is the trace's, not the worker's own lateness in sending.
            assertThat(f.totals().health().sendLateMaxMicros()).isNotNull().isLessThan(held.times().scheduleLagMicros());
            assertThat(held.times().ttftIntendedMicros()).isCloseTo(held.times().ttftMicros() + held.times().scheduleLagMicros(), org.assertj.core.data.Offset.offset(2L)); // each rounded to µs
        }
    }
}
