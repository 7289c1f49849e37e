package io.tokensiege.worker.load;

import io.tokensiege.common.metric.ErrorClass;
import io.tokensiege.common.metric.RequestMetrics;
import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.metric.RequestStamps;
import io.tokensiege.common.plan.Timeouts;
import io.tokensiege.worker.record.StepRecorder;
import io.tokensiege.worker.sse.ChunkDecoder;
import io.tokensiege.worker.sse.ChunkInfo;
import io.tokensiege.worker.sse.SseParser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.RequestOptions;
import java.util.function.Consumer;

/**
 * One streamed chat-completion request: sends it, stamps every event's arrival before any parsing,
 * decodes chunks into {@link RequestStamps}, and ends exactly once — on [DONE]/end of stream, an
 * error, a timeout ({@link #checkTimeouts}) or a cancel. Runs on one event loop (its lane's).
 */
final class Exchange implements SseParser.Listener {
    private static final int ERROR_BODY_EXCERPT = 200;

    final RequestStamps stamps = new RequestStamps();
    final LongList eventNanos = new LongList();
    final int stream;
    final int seq;
    final int turn;
    final boolean measured;
    private final String stepId;
    private final String workerId;
    private final Timeouts timeouts;
    private final StepRecorder recorder;
    private final ChunkDecoder decoder = new ChunkDecoder(80);
    private final SseParser parser = new SseParser(this);
    private final Consumer<Exchange> onEnd;
    private final EpochClock clock;
    private HttpClientRequest request;
    private long lastActivityNanos;
    private final long createdNanos;
    private boolean ended;
    private boolean cancelled;
    private RequestRecord record;

    Exchange(String stepId, String workerId, int stream, int seq, int turn, boolean measured, long intendedNanos,
             Timeouts timeouts, StepRecorder recorder, EpochClock clock, Consumer<Exchange> onEnd) {
        this.stepId = stepId;
        this.workerId = workerId;
        this.stream = stream;
        this.seq = seq;
        this.turn = turn;
        this.measured = measured;
        this.timeouts = timeouts;
        this.recorder = recorder;
        this.clock = clock;
        this.onEnd = onEnd;
        this.createdNanos = System.nanoTime();
        stamps.intendedNanos = intendedNanos;
    }

    void start(HttpClient client, RequestOptions options, Buffer body) {
        client.request(options).onComplete(ar -> {
            if (ended) return;
            if (ar.failed()) {
                fail(ErrorClass.CONNECT, describe(ar.cause()));
                return;
            }
            request = ar.result();
            stamps.sendNanos = System.nanoTime();
            stamps.sendEpochMicros = clock.epochMicros(stamps.sendNanos);
            if (stamps.intendedNanos == RequestStamps.NONE) stamps.intendedNanos = stamps.sendNanos;
            lastActivityNanos = stamps.sendNanos;
            request.send(body).onComplete(rr -> {
                if (ended) return;
                if (rr.failed()) fail(ErrorClass.CONNECT, describe(rr.cause()));
                else onResponse(rr.result());
            });
        });
    }

    private void onResponse(HttpClientResponse response) {
        stamps.headersNanos = System.nanoTime();
        stamps.httpStatus = response.statusCode();
        int status = response.statusCode();
        if (status < 200 || status >= 300) {
            ErrorClass cls = status == 429 ? ErrorClass.HTTP_429 : status >= 500 ? ErrorClass.HTTP_5XX : ErrorClass.HTTP_4XX;
            response.body().onComplete(b -> fail(cls, "HTTP " + status + (b.succeeded() ? ": " + excerpt(b.result().toString()) : "")));
            return;
        }
        response.handler(buffer -> {
            long arrival = System.nanoTime(); // stamped before any parsing
            lastActivityNanos = arrival;
            if (!ended) parser.feed(buffer.getBytes(), arrival);
        });
        response.exceptionHandler(t -> end());
        response.endHandler(v -> end());
    }

    @Override
    public void onEvent(byte[] data, int length, long arrivalNanos) {
        if (ended) return;
        ChunkInfo info = decoder.decode(data, length);
        if (info.done) {
            stamps.sawDone = true;
            return;
        }
        if (info.malformed) {
            stamps.fail(ErrorClass.MALFORMED, info.malformedDetail);
            return;
        }
        if (info.errorMessage != null) stamps.fail(ErrorClass.HTTP_5XX, "error event in stream: " + excerpt(info.errorMessage));
        if (info.id != null && stamps.serverId == null) stamps.serverId = info.id;
        if (info.carriesToken()) {
            long previous = stamps.lastNanos;
            boolean content = info.contentChars > 0;
            boolean reasoning = info.reasoningChars > 0;
            boolean tool = info.toolCallParts > 0;
            int channels = (content ? 1 : 0) + (reasoning ? 1 : 0) + (tool ? 1 : 0);
            stamps.overlapEvents += channels - 1;
            stamps.tokenEvent(arrivalNanos, content, reasoning, tool);
            eventNanos.add(arrivalNanos);
            if (content) RequestMetrics.appendAnswer(stamps, info.contentText);
            if (measured) {
                recorder.tokenEvent();
                if (previous != RequestStamps.NONE) recorder.recordItlMicros((arrivalNanos - previous) / 1000);
            }
        }
        if (info.finishReason != null) stamps.finishReason = info.finishReason;
        if (info.usageCompletionTokens >= 0) stamps.usageCompletionTokens = info.usageCompletionTokens;
        if (info.usagePromptTokens >= 0) stamps.usagePromptTokens = info.usagePromptTokens;
        if (info.usageCachedTokens >= 0) stamps.usageCachedTokens = info.usageCachedTokens;
        if (info.usageReasoningTokens >= 0) stamps.usageReasoningTokens = info.usageReasoningTokens;
    }

    @Override
    public void onComment(long arrivalNanos) {
        lastActivityNanos = arrivalNanos; // keep-alives count as activity, never as tokens
    }

    /** Applies the per-request timeouts; called periodically on the lane's event loop. */
    void checkTimeouts(long nowNanos) {
        if (ended) return;
        if (stamps.sendNanos == RequestStamps.NONE) {
            if (nowNanos - createdNanos > ms(timeouts.connectMillis()) + ms(timeouts.totalMillis())) fail(ErrorClass.CONNECT, "no connection from the pool");
            return;
        }
        long sinceSend = nowNanos - stamps.sendNanos;
        if (sinceSend > ms(timeouts.totalMillis())) abortWith(ErrorClass.TIMEOUT_TOTAL, "no end after " + timeouts.totalMillis() + " ms");
        else if (stamps.firstNanos == RequestStamps.NONE && sinceSend > ms(timeouts.firstTokenMillis())) {
            abortWith(ErrorClass.TIMEOUT_FIRST_TOKEN, "no token after " + timeouts.firstTokenMillis() + " ms");
        } else if (stamps.firstNanos != RequestStamps.NONE && nowNanos - lastActivityNanos > ms(timeouts.idleMillis())) {
            abortWith(ErrorClass.TIMEOUT_IDLE, "no event for " + timeouts.idleMillis() + " ms");
        }
    }

    /** Stops a request still in flight when the step's drain bound ran out; not an error of the server. */
    void cancel() {
        if (ended) return;
        cancelled = true;
        if (request != null) request.reset();
        end();
    }

    boolean ended() {
        return ended;
    }

    RequestRecord record() {
        return record;
    }

    private void abortWith(ErrorClass cls, String detail) {
        stamps.fail(cls, detail);
        if (request != null) request.reset();
        end();
    }

    private void fail(ErrorClass cls, String detail) {
        stamps.fail(cls, detail);
        end();
    }

    private void end() {
        if (ended) return;
        ended = true;
        if (stamps.endNanos == RequestStamps.NONE) stamps.endNanos = System.nanoTime();
        if (!cancelled && stamps.error == null && parser.hasPartialEvent() && !stamps.sawDone && stamps.finishReason == null) {
            stamps.fail(ErrorClass.TRUNCATED, "stream ended inside an event");
        }
        record = RequestMetrics.compute(stamps, stepId, workerId, stream, seq, turn, cancelled, measured);
        onEnd.accept(this);
    }

    private static long ms(long millis) {
        return millis * 1_000_000L;
    }

    private static String describe(Throwable t) {
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + excerpt(t.getMessage()));
    }

    private static String excerpt(String s) {
        String oneLine = s.replaceAll("\\s+", " ").trim();
        return oneLine.length() > ERROR_BODY_EXCERPT ? oneLine.substring(0, ERROR_BODY_EXCERPT) + "..." : oneLine;
    }
}
