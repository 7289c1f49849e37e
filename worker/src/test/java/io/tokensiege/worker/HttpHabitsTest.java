package io.tokensiege.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.withinPercentage;

import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.plan.Target;
import io.tokensiege.common.plan.Timeouts;
import io.tokensiege.common.protocol.ConnectionStats;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.protocol.StepFinished;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Real servers' connection habits, each scripted byte for byte on a raw socket: a request that fails on a
 * reused connection before any response byte is never a server error; a server that closes after every
 * stream gets one connection per request; every habit is counted for the report. And how a server counts what it
 * streams: llama.cpp's end-of-sequence token, counted but never sent.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpHabitsTest {
    private static final String KEEP_ALIVE = "Keep-Alive: timeout=5, max=100\r\nServer: llama.cpp\r\n";
    private static Vertx vertx;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static StepFinished run(ScriptedServer server, StepKind kind, int streams, int requests, long thinkMillis) throws Exception {
        return run(server, kind, streams, requests, thinkMillis, new Timeouts(2_000, 5_000, 5_000, 10_000));
    }

    private static StepFinished run(ScriptedServer server, StepKind kind, int streams, int requests, long thinkMillis, Timeouts timeouts) throws Exception {
        Target target = new Target("scripted", server.baseUrl(), "m", null, Map.of(), Map.of(), null);
        StepSpec step = new StepSpec("habits", 0, kind, target, "test", streams, 1, requests, 0, 0, thinkMillis, 5, 0.0, 16, true, 0, List.of(),
                timeouts, 7, "nonce", null, null, null);
        return SimulatorHarness.runStep(vertx, new SecretBox("test-token"), step, streams, 30);
    }

    @Test
    void aServerThatClosesAfterEveryStreamWhileAdvertisingKeepAlive_getsOneConnectionPerRequest_andNoErrors() throws Exception {
        try (ScriptedServer server = new ScriptedServer(r -> {
            r.streamChunked(KEEP_ALIVE, 5);
            return false; // llama.cpp: closes right after the stream
        })) {
            StepFinished f = run(server, StepKind.SEQUENTIAL, 1, 8, 0);

            assertThat(f.records()).hasSize(8).allSatisfy(r -> assertThat(r.ok()).as(r.outcome().errorDetail()).isTrue());
            ConnectionStats c = f.totals().connections();
            assertThat(c.perRequest()).isTrue();
            assertThat(c.closedAfterResponse()).isGreaterThanOrEqualTo(1);
            assertThat(c.staleRetries()).isLessThanOrEqualTo(1); // only until the habit is learned: at the first silent close
            assertThat(c.keepAliveHeader()).isEqualTo("timeout=5, max=100");
            // Once per request: every later request opened its own connection, and its connect time is inside its ttfb.
            List<RequestRecord> late = f.records().subList(4, 8);
            assertThat(late).allSatisfy(r -> {
                assertThat(r.connection().reused()).isFalse();
                assertThat(r.connection().connectMicros()).isNotNull();
                assertThat(r.times().ttfbMicros()).isGreaterThanOrEqualTo(r.connection().connectMicros());
            });
            assertThat(server.connections.get()).isEqualTo(c.connects() + c.prewarmed());
        }
    }

    @Test
    void aServerThatCountsItsEndTokenWithoutStreamingIt_isDecodingUntilItsFinishReason() throws Exception {
        // llama.cpp, an answer that stops by itself within the step's 5 max_tokens: 4 tokens streamed, then the end-of-sequence
        // token decoded (here 40 ms) and counted in the usage (5) but not streamed, then the finish_reason.
        try (ScriptedServer server = new ScriptedServer(r -> {
            r.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n" + KEEP_ALIVE + "\r\n");
            for (int i = 0; i < 4; i++) chunk(r, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\" t" + i + "\"},\"finish_reason\":null}]}\n\n");
            if (!r.pause(40)) return false;
            chunk(r, "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");
            chunk(r, "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5}}\n\n");
            chunk(r, "data: [DONE]\n\n");
            r.write("0\r\n\r\n");
            return true;
        })) {
            StepFinished f = run(server, StepKind.SEQUENTIAL, 1, 3, 0);

            // The finish_reason, the usage and [DONE] leave together, so the decode ends where the stream does (e2e): 4 tokens
            // after the first over that span, about 100 tok/s. Ending at the last streamed token, the burst before the pause
            // gave 748 to 14,767 tok/s, or no rate at all when it came in one read. Checked against each request's own
            // stamps, not the server's 40 ms: a worker kept off the CPU reads the pause late, and then it sees less of it.
            double decodingMicros = 0;
            assertThat(f.records()).hasSize(3);
            for (var r : f.records()) {
                assertThat(r.ok()).as(r.outcome().errorDetail()).isTrue();
                assertThat(r.tokens().outputTokens()).isEqualTo(5);
                assertThat(r.tokens().tokenEvents()).isEqualTo(4);
                double toStreamEndMicros = r.times().e2eMicros() - r.times().ttftMicros();
                assertThat(r.times().decodeRateTokS()).as("%s", r.times()).isNotNull().isCloseTo(4 / (toStreamEndMicros / 1e6), withinPercentage(10));
                decodingMicros += toStreamEndMicros;
            }
            assertThat(decodingMicros).as("at least one request saw most of the pause").isGreaterThan(30_000);
            // decoding_at_once's sum runs to the same end.
            assertThat((double) f.totals().decodingMicrosInWindow()).isCloseTo(decodingMicros, withinPercentage(10));
        }
    }

    @Test
    void aStreamHeldOpenAfterItsDone_isAWholeAnswer_endingAtTheDone_onAConnectionNotReused() throws Exception {
        java.util.concurrent.CountDownLatch hungUp = new java.util.concurrent.CountDownLatch(2);
        try (ScriptedServer server = new ScriptedServer(r -> {
            r.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n" + KEEP_ALIVE + "\r\n");
            for (String event : ScriptedServer.sseEvents(3)) chunk(r, event); // ends with data: [DONE]
            if (!r.pause(20_000)) hungUp.countDown(); // never the chunked body's end: a proxy that keeps the stream open
            return false;
        })) {
            // An idle timeout (0.5 s) shorter than the grace after [DONE] (1 s): the answer is whole all the same.
            StepFinished f = run(server, StepKind.SEQUENTIAL, 1, 2, 0, new Timeouts(2_000, 5_000, 500, 10_000));

            assertThat(f.records()).hasSize(2).allSatisfy(r -> {
                assertThat(r.ok()).as(r.outcome().errorDetail()).isTrue();
                assertThat(r.times().e2eMicros()).as("e2e ends at [DONE], not at the close a second later").isLessThan(900_000L);
            });
            assertThat(f.records().get(1).connection().reused()).as("the held connection was closed, not reused").isFalse();
            assertThat(hungUp.await(10, TimeUnit.SECONDS)).as("the worker closed both held streams").isTrue();
        }
    }

    private static void chunk(ScriptedServer.Request r, String event) throws java.io.IOException {
        r.write(Integer.toHexString(event.getBytes(StandardCharsets.UTF_8).length) + "\r\n" + event + "\r\n");
    }

    @Test
    void aReusedConnectionClosedAsItIsPicked_isRetriedOnceOnAFreshOne_keepingTheOriginalSendTime() throws Exception {
        try (ScriptedServer server = new ScriptedServer(r -> {
            if (r.indexOnConnection > 0) return false; // reads the next request, then closes without a byte: the race, made certain
            r.streamChunked("", 3);
            return true;
        })) {
            StepFinished f = run(server, StepKind.SEQUENTIAL, 1, 4, 0);

            assertThat(f.records()).allSatisfy(r -> assertThat(r.ok()).as(r.outcome().errorDetail()).isTrue());
            assertThat(f.totals().errorsByClass()).isEmpty();
            assertThat(f.totals().connections().staleRetries()).isGreaterThanOrEqualTo(1);
            RequestRecord retried = f.records().stream().filter(r -> r.connection().attempts() == 2).findFirst().orElseThrow();
            assertThat(retried.connection().reused()).isFalse(); // its second attempt had a fresh connection
            assertThat(retried.times().ttfbMicros()).isGreaterThanOrEqualTo(retried.connection().connectMicros());
        }
    }

    @Test
    void aFreshConnectionThatFailsBeforeAnyByte_isAConnectError_notRetriedForever() throws Exception {
        try (ScriptedServer server = new ScriptedServer(r -> false)) { // reads every request, answers none
            StepFinished f = run(server, StepKind.SEQUENTIAL, 1, 2, 0);

            assertThat(f.records()).hasSize(2).allSatisfy(r -> assertThat(r.outcome().error()).isEqualTo("connect"));
            assertThat(f.records()).allSatisfy(r -> assertThat(r.connection().attempts()).isLessThanOrEqualTo(2));
            assertThat(server.requests.get()).isLessThanOrEqualTo(4);
        }
    }

    @Test
    void connectionCloseOnErrors_isHonoured_andTheErrorExplainsItself() throws Exception {
        try (ScriptedServer server = new ScriptedServer(r -> {
            String body = "{\"error\":{\"code\":400,\"message\":\"request (6028 tokens) exceeds the available context size (4096 tokens), try increasing it\","
                    + "\"type\":\"exceed_context_size_error\",\"n_prompt_tokens\":6028,\"n_ctx\":4096}}";
            r.write("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: "
                    + body.length() + "\r\n\r\n" + body);
            return false;
        })) {
            StepFinished f = run(server, StepKind.SEQUENTIAL, 1, 3, 0);

            assertThat(f.records()).hasSize(3).allSatisfy(r -> {
                assertThat(r.outcome().error()).isEqualTo("http_4xx");
                assertThat(r.outcome().errorReason()).isEqualTo("exceed_context_size (6,028 > 4,096 tokens)");
                assertThat(r.outcome().errorDetail()).contains("HTTP 400 exceed_context_size_error (400): request (6028 tokens) exceeds");
                assertThat(r.connection().attempts()).isEqualTo(1);
            });
            assertThat(f.totals().connections().connectionCloseHeaders()).isEqualTo(3);
            assertThat(f.totals().connections().staleRetries()).isZero(); // a closed connection is never reused
        }
    }

    @Test
    void idleConnectionsClosedByTheServer_areReplacedAndReported() throws Exception {
        try (ScriptedServer server = new ScriptedServer(r -> {
            r.streamChunked("", 3);
            r.socket.setSoTimeout(1000); // its keep-alive timeout: close after 1 s without a request
            return true;
        })) {
            StepFinished f = run(server, StepKind.SEQUENTIAL, 1, 3, 2500);

            assertThat(f.records()).allSatisfy(r -> assertThat(r.ok()).as(r.outcome().errorDetail()).isTrue());
            ConnectionStats c = f.totals().connections();
            assertThat(c.idleClosed()).isGreaterThanOrEqualTo(2);
            assertThat(c.minIdleCloseMillis()).isBetween(500L, 2500L); // ~1 s; a loaded machine delays either end a little
            assertThat(c.perRequest()).isFalse(); // an idle timeout is not a close after every response
            assertThat(f.records().subList(1, 3)).allSatisfy(r -> assertThat(r.connection().connectMicros()).isNotNull());
        }
    }

    @Test
    void http10CloseDelimitedBodies_areReadToTheEnd() throws Exception {
        try (ScriptedServer server = new ScriptedServer(r -> {
            r.write("HTTP/1.0 200 OK\r\nContent-Type: text/event-stream\r\n\r\n");
            for (String e : ScriptedServer.sseEvents(4)) r.write(e);
            return false; // the close ends the body
        })) {
            StepFinished f = run(server, StepKind.SEQUENTIAL, 1, 3, 0);

            assertThat(f.records()).hasSize(3).allSatisfy(r -> {
                assertThat(r.ok()).as(r.outcome().errorDetail()).isTrue();
                assertThat(r.tokens().outputTokens()).isEqualTo(4);
            });
            assertThat(f.totals().connections().closeDelimitedBodies()).isEqualTo(3);
            assertThat(f.totals().connections().staleRetries()).isZero();
        }
    }

    @Test
    void concurrentStreamsAgainstAServerThatClosesAfterEachStream_haveNoErrors() throws Exception {
        try (ScriptedServer server = new ScriptedServer(r -> {
            r.streamChunked(KEEP_ALIVE, 5);
            return false;
        })) {
            StepFinished f = run(server, StepKind.CLOSED, 8, 6, 0);

            assertThat(f.records()).hasSize(48).allSatisfy(r -> assertThat(r.ok()).as(r.outcome().errorDetail()).isTrue());
            assertThat(f.totals().connections().perRequest()).isTrue();
        }
    }

    @Test
    void headersAtOnceThenALongPrefill_isWaitedForUpToTheFirstTokenTimeout_notCutAsIdle() throws Exception {
        // Idle 1 s, first token 9 s: the silence after the headers is a prefill (a queued 10K prompt), bounded by the
        // first-token timeout. The transport used to close the connection after idle + 5 s, and the request counted empty.
        Timeouts timeouts = new Timeouts(2_000, 9_000, 1_000, 20_000);
        try (ScriptedServer server = new ScriptedServer(r -> {
            r.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
            String role = "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"},\"finish_reason\":null}]}\n\n";
            r.write(Integer.toHexString(role.length()) + "\r\n" + role + "\r\n");
            if (!r.pause(6_500)) return false;
            for (String event : ScriptedServer.sseEvents(3)) r.write(Integer.toHexString(event.getBytes(StandardCharsets.UTF_8).length) + "\r\n" + event + "\r\n");
            r.write("0\r\n\r\n");
            return true;
        })) {
            StepFinished f = run(server, StepKind.SEQUENTIAL, 1, 1, 0, timeouts);

            assertThat(f.records()).hasSize(1).allSatisfy(r -> {
                assertThat(r.ok()).as(r.outcome().errorDetail()).isTrue();
                assertThat(r.times().ttftMicros()).isGreaterThanOrEqualTo(6_500_000L);
            });
        }
    }

    @Test
    void aConnectionLostAfterTheHeadersBeforeAnyToken_isTruncated_notAnEmptyAnswer() throws Exception {
        try (ScriptedServer server = new ScriptedServer(r -> {
            r.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
            String role = "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\"},\"finish_reason\":null}]}\n\n";
            r.write(Integer.toHexString(role.length()) + "\r\n" + role + "\r\n");
            return false; // gone while "prefilling": no token, no finish_reason, no [DONE]
        })) {
            StepFinished f = run(server, StepKind.SEQUENTIAL, 1, 2, 0);

            assertThat(f.records()).hasSize(2).allSatisfy(r -> {
                assertThat(r.outcome().error()).isEqualTo("truncated");
                assertThat(r.outcome().errorDetail()).contains("connection lost mid-stream after 0 token events");
            });
        }
    }
}
