package io.tokensiege.worker.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.metric.RequestStamps;
import io.tokensiege.common.metric.ServerTimings;
import io.tokensiege.common.metric.TokenSource;
import io.tokensiege.common.plan.Limits;
import io.tokensiege.common.plan.Timeouts;
import io.tokensiege.common.security.Redactor;
import io.tokensiege.worker.record.StepRecorder;
import io.tokensiege.worker.sse.SseParserTest;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real server transcripts served over HTTP in 7-byte pieces, measured by a real {@link Exchange}. */
@org.junit.jupiter.api.Timeout(value = 60, unit = java.util.concurrent.TimeUnit.SECONDS)
class GoldenStreamTest {
    private static Vertx vertx;
    private static HttpServer server;
    private static HttpClientAgent client;

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
            String name = req.path().split("/")[1];
            try {
                byte[] all = SseParserTest.golden(name);
                var resp = req.response().setChunked(true).putHeader("content-type", "text/event-stream");
                for (int i = 0; i < all.length; i += 7) resp.write(Buffer.buffer(Arrays.copyOfRange(all, i, Math.min(all.length, i + 7))));
                resp.end();
            } catch (Exception e) {
                req.response().setStatusCode(500).end();
            }
        })).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        client = vertx.createHttpClient();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static RequestRecord measure(String file) throws Exception {
        CompletableFuture<RequestRecord> done = new CompletableFuture<>();
        ConnectionHabits habits = new ConnectionHabits(false);
        StepRecorder recorder = new StepRecorder();
        Lane lane = new Lane(vertx, Lane.eventLoops(vertx).get(0), 60, new HttpConnectOptions().setHost("127.0.0.1").setPort(server.actualPort()), habits, recorder.newLane());
        ExchangeSetting setting = new ExchangeSetting("step", "w1", Timeouts.DEFAULT, Limits.DEFAULT, Redactor.NONE, new EpochClock());
        Exchange ex = new Exchange(setting, lane, MeasurementWindow.untimed(false), 0, 0, 0, true, RequestStamps.NONE, e -> done.complete(e.record()));
        RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(server.actualPort())
                .setURI("/" + file + "/v1/chat/completions");
        lane.context.runOnContext(v -> ex.start(o, Buffer.buffer("{}")));
        return done.get(10, TimeUnit.SECONDS);
    }

    @Test
    void llamaCpp_realTranscript() throws Exception {
        RequestRecord r = measure("llama-cpp.sse");
        assertThat(r.ok()).isTrue();
        assertThat(r.tokens().outputTokens()).isEqualTo(64);
        assertThat(r.tokens().tokenSource()).isEqualTo(TokenSource.USAGE);
        assertThat(r.tokens().tokenEvents()).isEqualTo(64); // one token per event: usage and count agree
        assertThat(r.tokens().promptTokens()).isEqualTo(46);
        assertThat(r.tokens().cachedTokens()).isZero();
        assertThat(r.outcome().finishReason()).isEqualTo("length");
        assertThat(r.times().ttftMicros()).isNotNull();
        assertThat(r.times().ttfaMicros()).isEqualTo(r.times().ttftMicros());
        assertThat(r.answer().answerSample()).startsWith("\"Here?\" Asked");
        assertThat(r.answer().serverId()).startsWith("chatcmpl-");
        assertThat(r.serverTimings()).isEqualTo(new ServerTimings(46, 0, 4.605, 64, 28.731, 2227.559082524103));
        assertThat(r.connection().reused()).isFalse();
        assertThat(r.connection().connectMicros()).isNotNull();
    }

    /** A real llama.cpp b10108 stream (small-llama, a tool in the request, seed 5) that its chat parser broke off with an error event. */
    @Test
    void llamaCpp_errorEventInsideA200Stream_isAStreamErrorWithItsMessage() throws Exception {
        RequestRecord r = measure("llama-cpp-stream-error.sse");
        assertThat(r.ok()).isFalse();
        assertThat(r.outcome().httpStatus()).isEqualTo(200);
        assertThat(r.outcome().error()).isEqualTo("stream_error");
        assertThat(r.outcome().errorReason()).isEqualTo("The model produced output that does not match the expected peg-native format");
        assertThat(r.outcome().errorDetail()).isEqualTo("error event in a 200 stream: server_error (500): The model produced output that does not match the expected peg-native format");
        assertThat(r.tokens().tokenEvents()).isPositive(); // what came before the error is still counted
    }

    @Test
    void vllm_reasoningContent_countsForTtftAndSeparatelyAsReasoning() throws Exception {
        RequestRecord r = measure("vllm-reasoning-content.sse");
        assertThat(r.ok()).isTrue();
        assertThat(r.tokens().outputTokens()).isEqualTo(7);
        assertThat(r.tokens().reasoningTokens()).isEqualTo(3);
        assertThat(r.tokens().reasoningEvents()).isEqualTo(3);
        assertThat(r.tokens().contentEvents()).isEqualTo(4);
        assertThat(r.tokens().cachedTokens()).isEqualTo(16);
        assertThat(r.times().ttfaMicros()).isGreaterThanOrEqualTo(r.times().ttftMicros());
        assertThat(r.answer().answerSample()).isEqualTo("The answer is 4.");
    }

    @Test
    void ollama_reasoningWithEmptyContent_isNotMissed() throws Exception {
        RequestRecord r = measure("ollama-reasoning.sse");
        assertThat(r.ok()).isTrue();
        assertThat(r.tokens().reasoningEvents()).isEqualTo(4);
        assertThat(r.tokens().contentEvents()).isEqualTo(2);
        assertThat(r.tokens().tokenEvents()).isEqualTo(6);
        assertThat(r.tokens().outputTokens()).isEqualTo(6);
        assertThat(r.tokens().reasoningTokens()).isEqualTo(4); // no usage detail: counted from the reasoning channel
        assertThat(r.answer().answerSample()).isEqualTo("Hello!");
    }

    @Test
    void keepAlivesAndNoUsage_countEventsAndLabelThemCounted() throws Exception {
        RequestRecord r = measure("keepalive-no-usage.sse");
        assertThat(r.ok()).isTrue();
        assertThat(r.tokens().outputTokens()).isEqualTo(3);
        assertThat(r.tokens().tokenSource()).isEqualTo(TokenSource.COUNTED);
        assertThat(r.tokens().usageCompletionTokens()).isNull();
    }

    @Test
    void missingDone_isTruncated() throws Exception {
        RequestRecord r = measure("missing-done.sse");
        assertThat(r.ok()).isFalse();
        assertThat(r.outcome().error()).isEqualTo("truncated");
        assertThat(r.tokens().tokenEvents()).isEqualTo(2);
    }

    @Test
    void toolCalls_countAsGeneratedAndAsAnswer() throws Exception {
        RequestRecord r = measure("tool-calls.sse");
        assertThat(r.ok()).isTrue();
        assertThat(r.tokens().toolCallEvents()).isEqualTo(2);
        assertThat(r.times().ttfaMicros()).isEqualTo(r.times().ttftMicros());
    }

    @Test
    void noGeneratedToken_isEmpty() throws Exception {
        RequestRecord r = measure("empty-answer.sse");
        assertThat(r.outcome().error()).isEqualTo("empty");
        assertThat(r.times().ttftMicros()).isNull();
    }
}
