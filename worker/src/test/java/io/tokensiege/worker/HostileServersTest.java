package io.tokensiege.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.metric.TokenSource;
import io.tokensiege.common.plan.Target;
import io.tokensiege.common.plan.Timeouts;
import io.tokensiege.common.protocol.AssignStep;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.protocol.StartStep;
import io.tokensiege.common.protocol.StepFinished;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.common.protocol.WorkerReady;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Servers an attacker, or a broken proxy, would put in front of a worker. Every case must end on time with its
 * error class, and the worker's heap must stay flat: this class runs in its own JVM with {@code -Xmx256m} (see the
 * worker pom), where unbounded buffering used to end in OutOfMemoryErrors. Four streams at once, so a leak shows.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostileServersTest {
    private static final String KEY = "sk-hostile-test-key-0123456789";
    /** Short timeouts, so the slow cases end quickly; the bound on each case below is what they promise. */
    private static final Timeouts TIMEOUTS = new Timeouts(2_000, 3_000, 2_000, 8_000);
    private static final long CASE_BOUND_SECONDS = 20;
    /** What the worker may hold after a case, with 256 MB of heap: far below what the cases would make it buffer if it let them. */
    private static final long FLAT_HEAP_BYTES = 96L << 20;
    private static Vertx vertx;
    private static final SecretBox SECRETS = new SecretBox("hostile-test-token");

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void aLineThatNeverEnds_isOversized() throws Exception {
        List<RequestRecord> r = attack(req -> {
            req.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\ndata: ");
            endless(req, "x");
        });
        assertThat(r).allSatisfy(x -> assertThat(x.outcome().error()).isEqualTo("oversized"));
    }

    @Test
    void fiftyMegabyteEvents_areOversized() throws Exception {
        List<RequestRecord> r = attack(req -> {
            req.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\ndata: {\"choices\":[{\"delta\":{\"content\":\"");
            byte[] block = "y".repeat(64 << 10).getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < 800; i++) req.write(block); // 50 MB in one event
            req.write("\"}}]}\n\n");
        });
        assertThat(r).allSatisfy(x -> assertThat(x.outcome().error()).isEqualTo("oversized"));
    }

    @Test
    void anEndlessErrorBody_isReadToItsBoundAndClassifiedByItsStatus() throws Exception {
        List<RequestRecord> r = attack(req -> {
            req.write("HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n");
            String chunk = "z".repeat(8192);
            while (!req.socket.isClosed()) req.write(Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n");
        });
        assertThat(r).allSatisfy(x -> {
            assertThat(x.outcome().error()).isEqualTo("http_5xx");
            assertThat(x.outcome().errorDetail()).contains("body longer than 65536 bytes; not read further");
        });
    }

    @Test
    void aTrickleOfOneByteAtATime_endsAtTheFirstTokenTimeout() throws Exception {
        List<RequestRecord> r = attack(req -> {
            req.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n");
            for (int i = 0; i < 200 && !req.socket.isClosed(); i++) {
                req.write(":");
                req.pause(200); // a byte every 200 ms: never a token, always a little activity
            }
        });
        assertThat(r).allSatisfy(x -> assertThat(x.outcome().error()).isEqualTo("timeout_first_token"));
    }

    @Test
    void aBlackHole_endsAtTheFirstTokenTimeout() throws Exception {
        List<RequestRecord> r = attack(req -> {
            while (req.socket.getInputStream().read() >= 0) {
                // reads whatever comes, answers nothing, until the client gives up
            }
        });
        assertThat(r).allSatisfy(x -> assertThat(x.outcome().error()).isEqualTo("timeout_first_token"));
    }

    @Test
    void aServerThatEchoesTheKey_neverGetsItStored() throws Exception {
        List<RequestRecord> r = attack(req -> {
            String auth = req.headers.lines().filter(l -> l.toLowerCase().startsWith("authorization:")).findFirst().orElse("none");
            String body = "{\"error\":{\"message\":\"bad credentials: " + auth + "\",\"type\":\"authentication_error\"}}";
            req.write("HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
        });
        assertThat(r).allSatisfy(x -> {
            assertThat(x.outcome().error()).isEqualTo("http_4xx");
            assertThat(x.outcome().errorDetail()).contains("[REDACTED]").doesNotContain(KEY);
            assertThat(x.outcome().errorReason()).doesNotContain(KEY);
        });
    }

    @Test
    void theKeyGoesAsItIs_inTheHeaderThePlanNames_andNoAuthorizationIsSent() throws Exception {
        List<String> heads = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ScriptedServer server = new ScriptedServer(req -> {
            heads.add(req.headers.toLowerCase(java.util.Locale.ROOT));
            req.streamChunked("Connection: close\r\n", 3);
            return false;
        })) {
            assertThat(run(server, "Ocp-Apim-Subscription-Key")).allSatisfy(x -> assertThat(x.ok()).isTrue());
        }
        assertThat(heads).hasSize(8).allSatisfy(h -> assertThat(h).contains("ocp-apim-subscription-key: " + KEY.toLowerCase(java.util.Locale.ROOT) + "\r\n")
                .doesNotContain("authorization").doesNotContain("bearer"));
    }

    @Test
    void aStreamThatCarriesTheKey_inItsIdAndAnswer_neverGetsItStored_evenWhereTheSampleIsCutInsideIt() throws Exception {
        List<RequestRecord> r = attack(req -> {
            req.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n");
            for (int i = 0; i < 3; i++) { // "k=KEY k=KEY k=KEY ": the 80-character sample ends 12 characters into the third key
                req.write("data: {\"id\":\"id-" + KEY + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"k=" + KEY + " \"}}]}\n\n");
            }
            req.write("data: {\"id\":\"id-" + KEY + "\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
        });
        assertThat(r).allSatisfy(x -> {
            assertThat(x.ok()).isTrue();
            assertThat(x.answer().serverId()).isEqualTo("id-[REDACTED]");
            assertThat(x.answer().answerSample()).isEqualTo("k=[REDACTED] k=[REDACTED] k=[REDACTED]").doesNotContain(KEY.substring(3, 7));
        });
    }

    @Test
    void escapeSequencesInAnErrorBody_areStoredAsVisibleText_soNoTerminalObeysThem() throws Exception {
        List<RequestRecord> r = attack(req -> {
            String body = "oops \u001b]52;c;ZXZpbA==\u0007\u001b[2J\u001b[31mFAKE: MEETS the SLO\r\nsecond line";
            req.write("HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
        });
        assertThat(r).allSatisfy(x -> {
            assertThat(x.outcome().error()).isEqualTo("http_5xx");
            for (String text : new String[] {x.outcome().errorDetail(), x.outcome().errorReason()}) {
                assertThat(text.chars()).as(text).allMatch(c -> c >= 0x20 && c != 0x7F);
            }
            assertThat(x.outcome().errorDetail()).contains("\\u001B[2J\\u001B[31mFAKE");
        });
    }

    private static final String SSE_HEAD = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n";

    @Test
    void tokensAfterDone_orAfterTheFinishReason_areNotCounted() throws Exception {
        List<String> five = ScriptedServer.sseEvents(5);
        List<String> moreTokens = ScriptedServer.sseEvents(5).subList(1, 6);
        List<RequestRecord> afterDone = attack(req -> {
            req.write(SSE_HEAD);
            for (String e : five) req.write(e);
            for (String e : moreTokens) req.write(e); // a replay after [DONE]
        });
        List<RequestRecord> afterFinish = attack(req -> {
            req.write(SSE_HEAD);
            for (String e : five.subList(0, 7)) req.write(e); // up to finish_reason
            for (String e : moreTokens) req.write(e);
            for (String e : five.subList(7, five.size())) req.write(e); // usage, which follows the finish, is still read
        });
        for (List<RequestRecord> r : List.of(afterDone, afterFinish)) {
            assertThat(r).allSatisfy(x -> {
                assertThat(x.ok()).isTrue();
                assertThat(x.tokens().tokenEvents()).isEqualTo(5);
                assertThat(x.tokens().usageCompletionTokens()).isEqualTo(5);
            });
        }
    }

    @Test
    void aProxyThatSetsFinishReasonOnEveryChunk_hasEveryTokenCounted() throws Exception {
        List<RequestRecord> r = attack(req -> {
            req.write(SSE_HEAD);
            for (String e : ScriptedServer.sseEvents(5)) req.write(e.replace("\"finish_reason\":null", "\"finish_reason\":\"stop\""));
        });
        assertThat(r).allSatisfy(x -> {
            assertThat(x.ok()).isTrue();
            assertThat(x.tokens().tokenEvents()).isEqualTo(5);
            assertThat(x.answer().answerSample()).isEqualTo(" tok0 tok1 tok2 tok3 tok4");
        });
    }

    @Test
    void tokensWithoutEnd_pastMaxTokens_areCutAsOverlong() throws Exception {
        List<RequestRecord> r = attack(req -> {
            req.write(SSE_HEAD);
            String token = ScriptedServer.sseEvents(1).get(1);
            for (int i = 0; i < 100_000; i++) req.write(token); // never finishes
        });
        assertThat(r).allSatisfy(x -> {
            assertThat(x.outcome().error()).isEqualTo("overlong");
            assertThat(x.tokens().tokenEvents()).as("8 x max_tokens 50 + 64, and the one that crossed it").isEqualTo(465);
        });
    }

    @Test
    void aLeadingByteOrderMark_isSkipped_soTheFirstEventCounts() throws Exception {
        List<RequestRecord> r = attack(req -> {
            req.write(SSE_HEAD);
            req.write(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF});
            for (String e : ScriptedServer.sseEvents(5)) req.write(e.replace("\"role\":\"assistant\",\"content\":null", "\"content\":\"first\""));
        });
        assertThat(r).allSatisfy(x -> {
            assertThat(x.ok()).isTrue();
            assertThat(x.tokens().tokenEvents()).isEqualTo(6);
        });
    }

    @Test
    void anErrorTypedEvent_failsTheRequest_withItsMessage() throws Exception {
        List<RequestRecord> r = attack(req -> {
            req.write(SSE_HEAD);
            for (String e : ScriptedServer.sseEvents(5).subList(0, 4)) req.write(e);
            req.write("event: error\ndata: {\"message\":\"CUDA out of memory\"}\n\ndata: [DONE]\n\n");
        });
        assertThat(r).allSatisfy(x -> {
            assertThat(x.outcome().error()).isEqualTo("stream_error");
            assertThat(x.outcome().errorDetail()).contains("CUDA out of memory");
        });
    }

    @Test
    void anAnswerThatIsNoEventStream_isNotStreamed_notTruncated() throws Exception {
        String json = "{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hi\"},"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1}}";
        List<RequestRecord> r = attack(req -> req.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + json.length() + "\r\n\r\n" + json));
        assertThat(r).allSatisfy(x -> {
            assertThat(x.outcome().error()).isEqualTo("not_streamed");
            assertThat(x.outcome().errorDetail()).contains("Content-Type application/json");
        });
    }

    @Test
    void anImpossibleStatus_isMalformed_andHeadersBeyondTheLimit_areOversized() throws Exception {
        assertThat(attack(req -> req.write("HTTP/1.1 999 Odd\r\nContent-Length: 0\r\n\r\n")))
                .allSatisfy(x -> assertThat(x.outcome().error()).isEqualTo("malformed"));
        assertThat(attack(req -> {
            req.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n");
            req.write("X-Big: " + "a".repeat(64 << 10) + "\r\n\r\n");
        })).allSatisfy(x -> assertThat(x.outcome().error()).isEqualTo("oversized"));
    }

    @Test
    void anAnswerSentAheadOfItsRequest_isNeverCreditedToTheNextRequest() throws Exception {
        String events = String.join("", ScriptedServer.sseEvents(5));
        String response = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Length: " + events.length() + "\r\n\r\n" + events;
        List<RequestRecord> r;
        try (ScriptedServer server = new ScriptedServer(req -> {
            if (req.indexOnConnection % 2 == 1) return true; // "answered" already
            if (!req.pause(300)) return false;
            req.write(response + response); // the second answers a request not yet sent
            return true;
        })) {
            r = run(server);
        }
        // Each request waits out the server's 300 ms: none takes the answer already sent (that read as a TTFT of ~1 ms).
        assertThat(r).allSatisfy(x -> {
            assertThat(x.ok()).isTrue();
            assertThat(x.times().ttftMicros()).isGreaterThan(250_000);
        });
    }

    @Test
    void aConnectionClosedInsideAChunk_isTruncated() throws Exception {
        List<RequestRecord> r = attack(req -> {
            req.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
            for (String e : ScriptedServer.sseEvents(3).subList(0, 3)) req.write(Integer.toHexString(e.length()) + "\r\n" + e + "\r\n");
            req.write("64\r\ndata: {\"cho"); // 100 bytes announced, 12 sent
            req.socket.close();
        });
        assertThat(r).allSatisfy(x -> assertThat(x.outcome().error()).isEqualTo("truncated"));
    }

    @Test
    void invalidUtf8InsideAnEvent_isMalformed() throws Exception {
        List<RequestRecord> r = attack(req -> {
            req.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n");
            req.write("data: {\"choices\":[{\"delta\":{\"content\":\"".getBytes(StandardCharsets.US_ASCII));
            req.write(new byte[] {(byte) 0xff, (byte) 0xfe, (byte) 0xc3});
            req.write("\"}}]}\n\ndata: [DONE]\n\n");
        });
        assertThat(r).allSatisfy(x -> assertThat(x.outcome().error()).isEqualTo("malformed"));
    }

    @Test
    void aRedirect_isNeverFollowed() throws Exception {
        ScriptedServer.Script redirect = req -> {
            req.write("HTTP/1.1 302 Found\r\nLocation: http://127.0.0.2:9/steal\r\nContent-Length: 0\r\n\r\n");
            return true;
        };
        try (ScriptedServer server = new ScriptedServer(redirect)) {
            List<RequestRecord> r = run(server);
            assertThat(r).allSatisfy(x -> {
                assertThat(x.outcome().error()).isEqualTo("http_3xx");
                assertThat(x.outcome().errorReason()).isEqualTo("redirect to http://127.0.0.2:9/steal, not followed");
            });
            assertThat(server.requests.get()).isEqualTo(r.size()); // one each, none to the Location
        }
    }

    @Test
    void anAbsurdUsage_isNotBelieved() throws Exception {
        List<RequestRecord> r = attack(req -> {
            req.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n");
            List<String> events = ScriptedServer.sseEvents(5);
            for (String e : events) req.write(e.replace("\"completion_tokens\":5", "\"completion_tokens\":2000000000"));
        });
        assertThat(r).allSatisfy(x -> {
            assertThat(x.ok()).isTrue();
            assertThat(x.tokens().tokenSource()).isEqualTo(TokenSource.COUNTED);
            assertThat(x.tokens().outputTokens()).isEqualTo(5);
            assertThat(x.tokens().usageCompletionTokens()).isEqualTo(2_000_000_000);
        });
    }

    /** A script that answers once and closes the connection (a hostile server rarely keeps one alive). */
    private interface Attack {
        void on(ScriptedServer.Request request) throws IOException;
    }

    private List<RequestRecord> attack(Attack attack) throws Exception {
        try (ScriptedServer server = new ScriptedServer(req -> {
            attack.on(req);
            return false;
        })) {
            return run(server);
        }
    }

    private static List<RequestRecord> run(ScriptedServer server) throws Exception {
        return run(server, null);
    }

    private static List<RequestRecord> run(ScriptedServer server, String keyHeader) throws Exception {
        Target target = new Target("hostile", server.baseUrl(), "m", "HOSTILE_API_KEY", keyHeader, Map.of(), Map.of(), null);
        StepSpec step = new StepSpec("hostile", 0, StepKind.CLOSED, target, "hostile", 4, 1, 2, 0, 0, 0, 50, 0.0, 16, true, 0, List.of(), TIMEOUTS, 7,
                "nonce", null, null, null);
        StepFinished f = runWithKey(step);
        assertThat(f.records()).hasSize(8);
        assertFlatHeap();
        return f.records();
    }

    private static StepFinished runWithKey(StepSpec step) throws Exception {
        CompletableFuture<Void> ready = new CompletableFuture<>();
        CompletableFuture<StepFinished> finished = new CompletableFuture<>();
        io.tokensiege.common.protocol.RecordAssembly assembly = new io.tokensiege.common.protocol.RecordAssembly(); // records come in chunks first
        Consumer<io.tokensiege.common.protocol.ToCoordinator> send = m -> {
            if (m instanceof WorkerReady) ready.complete(null);
            if (m instanceof io.tokensiege.common.protocol.RecordChunk rc) assembly.add(rc);
            if (m instanceof StepFinished fin) finished.complete(assembly.complete(fin).finished());
        };
        WorkerAgent agent = new WorkerAgent(vertx, "w1", SECRETS, send, List.of());
        agent.onMessage(new AssignStep("run", step.stepId(), "w1", step, step.concurrency(), 0, SECRETS.seal(KEY)));
        ready.get(10, TimeUnit.SECONDS);
        agent.onMessage(new StartStep("run", step.stepId(), (System.currentTimeMillis() + 50) * 1000));
        return finished.get(CASE_BOUND_SECONDS, TimeUnit.SECONDS);
    }

    private static void assertFlatHeap() {
        var memory = ManagementFactory.getMemoryMXBean();
        memory.gc();
        long used = memory.getHeapMemoryUsage().getUsed();
        assertThat(used).as("heap after the case, of %d MB", memory.getHeapMemoryUsage().getMax() >> 20).isLessThan(FLAT_HEAP_BYTES);
    }

    /** Writes {@code text} until the client hangs up, bounded so the thread always ends by itself. */
    private static void endless(ScriptedServer.Request req, String text) throws IOException {
        byte[] block = text.repeat(16 << 10).getBytes(StandardCharsets.US_ASCII);
        for (long written = 0; written < (512L << 20); written += block.length) req.write(block);
    }
}
