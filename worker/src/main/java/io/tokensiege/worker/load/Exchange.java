package io.tokensiege.worker.load;

import io.tokensiege.common.metric.ErrorClass;
import io.tokensiege.common.metric.RequestMetrics;
import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.metric.RequestStamps;
import io.tokensiege.common.metric.ServerError;
import io.tokensiege.common.security.Printable;
import io.tokensiege.worker.record.LaneRecorder;
import io.tokensiege.worker.sse.ChunkDecoder;
import io.tokensiege.worker.sse.ChunkInfo;
import io.tokensiege.worker.sse.SseParser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.RequestOptions;
import java.util.function.Consumer;

/**
 * One streamed chat-completion request: sends it, stamps every event's arrival before any parsing,
 * decodes chunks into {@link RequestStamps}, and ends exactly once — on [DONE]/end of stream, an
 * error, a timeout ({@link #checkTimeouts}) or a cancel. Runs on one event loop (its lane's).
 *
 * <p>{@code t_send} is stamped when the request is issued, before its connection is acquired: when a new
 * connection is needed, its connect time is part of what any client would see, so it is inside ttfb and
 * ttft. Getting onto a connection (and the one retry a stale reused connection earns) is {@link RequestSender}'s.
 *
 * <p>Every event of every stream passes through {@link #onEvent}; the request's life stays on one event loop, so
 * nothing here is locked. What can stand apart does: {@link RequestSender}, {@link RequestTimeouts},
 * {@link ErrorBodyReader}, {@link ErrorResponse}, {@link AnswerCapture}.
 */
final class Exchange implements SseParser.Listener {
    /** A body still open this long after its [DONE] will not end by itself: the answer is whole; its connection is closed. */
    private static final long DONE_GRACE_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
    final RequestStamps stamps = new RequestStamps();
    private final MeasurementWindow window;
    private final Lane lane;
    private int eventsInWindow;
    final int stream;
    final int seq;
    final int turn;
    final boolean measured;
    private final ExchangeSetting setting;
    private final LaneRecorder recorder;
    private final ChunkDecoder decoder;
    /** Agent sessions keep the whole answer (bounded) and its tool calls, to carry them in the next turn's history. */
    private AnswerCapture capture;
    private final SseParser parser;
    private final Consumer<Exchange> onEnd;
    private RequestSender sender;
    private long lastActivityNanos;
    private boolean responseComplete;
    private String redirectLocation;
    /** After the first token, an event carried finish_reason and no token: the answer is over. */
    private boolean endedByEmptyFinish;
    /** The 200 answer's Content-Type; null before its head, or when it named none. */
    private String contentType;
    private boolean ended;
    private boolean cancelled;
    private RequestRecord record;

    Exchange(ExchangeSetting setting, Lane lane, MeasurementWindow window, int stream, int seq, int turn, boolean measured, long intendedNanos,
             Consumer<Exchange> onEnd) {
        this.setting = setting;
        this.lane = lane;
        this.window = window;
        this.stream = stream;
        this.seq = seq;
        this.turn = turn;
        this.measured = measured;
        this.onEnd = onEnd;
        this.recorder = lane.recorder;
        this.decoder = lane.decoder;
        this.parser = new SseParser(this, setting.limits().maxEventBytes());
        stamps.intendedNanos = intendedNanos;
    }

    /** Keeps the whole answer text (up to {@code maxChars}) and the tool calls, for an agent's history. Before {@link #start}. */
    void captureAnswer(int maxChars) {
        capture = new AnswerCapture(maxChars);
    }

    /** The captured answer (see {@link #captureAnswer}), or null. */
    AnswerCapture answer() {
        return capture;
    }

    /** Sends the request on one of its lane's connections. */
    void start(RequestOptions requestOptions, Buffer requestBody) {
        sender = new RequestSender(lane.connections, requestOptions, requestBody, stamps, this::ended, this::onResponse, this::fail);
        lane.exchangeStarted();
        stamps.sendNanos = System.nanoTime();
        stamps.sendEpochMicros = setting.clock().epochMicros(stamps.sendNanos);
        if (stamps.intendedNanos == RequestStamps.NONE) stamps.intendedNanos = stamps.sendNanos;
        lastActivityNanos = stamps.sendNanos;
        sender.send();
    }

    private void onResponse(HttpClientResponse response) {
        stamps.headersNanos = System.nanoTime();
        lastActivityNanos = stamps.headersNanos;
        int status = response.statusCode();
        stamps.httpStatus = status;
        sender.noteResponseHead(response);
        if (status < 200 || status >= 300) {
            redirectLocation = response.getHeader("location");
            ErrorBodyReader.read(response, setting.limits().maxErrorBodyBytes(), () -> lastActivityNanos = System.nanoTime(),
                    (text, cut, complete) -> failWithBody(status, text, cut, complete));
            return;
        }
        contentType = response.getHeader("content-type");
        response.handler(buffer -> {
            long arrival = System.nanoTime(); // stamped before any parsing
            lastActivityNanos = arrival;
            if (!ended) lane.feed(parser, buffer, arrival);
        });
        response.exceptionHandler(t -> {
            // The connection went mid-stream (the server closed it, or the network did): say so, whatever came before.
            if (!cancelled && stamps.error == null && !stamps.sawDone && stamps.finishReason == null) {
                stamps.fail(ErrorClass.TRUNCATED, "connection lost mid-stream after " + stamps.tokenEvents() + " token events: " + RequestSender.describe(t));
            }
            end();
        });
        response.endHandler(v -> {
            responseComplete = true;
            end();
        });
    }

    private void failWithBody(int status, String text, boolean cut, boolean complete) {
        if (ended) return;
        responseComplete = complete;
        ErrorResponse e = ErrorResponse.of(status, text, redirectLocation, cut, setting.limits().maxErrorBodyBytes(), setting.redactor());
        stamps.fail(e.errorClass(), e.detail(), e.reason());
        if (cut) sender.abort();
        end();
    }

    @Override
    public void onEvent(byte[] data, int offset, int length, long arrivalNanos) {
        if (ended || stamps.sawDone) return; // [DONE] ends the answer: what a server sends after it is not read
        // Tokens after a finish event that carried none belong to no answer; usage and timings, which follow it, do. (Some
        // proxies set finish_reason on every chunk, the role chunk included: until a token-less one after the first token,
        // the answer goes on.)
        boolean finished = endedByEmptyFinish;
        decoder.wantId(stamps.serverId == null);
        decoder.wantContentText(capture != null || RequestMetrics.wantsSample(stamps));
        ChunkInfo info = decoder.decode(data, offset, length);
        if (info.done) {
            stamps.sawDone = true;
            if (stamps.endNanos == RequestStamps.NONE) stamps.endNanos = arrivalNanos; // t_end (docs/design.md §3), whatever the body does next
            return;
        }
        if (info.malformed) {
            stamps.fail(ErrorClass.MALFORMED, info.malformedDetail);
            return;
        }
        if (info.errorJson != null) streamError("error event", info.errorJson);
        if (info.id != null && stamps.serverId == null) stamps.serverId = info.id;
        if (info.carriesToken() && !finished) {
            long previous = stamps.lastNanos;
            boolean content = info.contentChars > 0;
            boolean reasoning = info.reasoningChars > 0;
            boolean tool = info.toolCallParts > 0;
            int channels = (content ? 1 : 0) + (reasoning ? 1 : 0) + (tool ? 1 : 0);
            stamps.overlapEvents += channels - 1;
            stamps.tokenEvent(arrivalNanos, content, reasoning, tool);
            if (window.contains(arrivalNanos)) eventsInWindow++;
            if (content) RequestMetrics.appendAnswer(stamps, info.contentChars, info.contentText);
            boolean probe = stamps.isProbe(); // live figures and ITL leave it out, as every other histogram does
            if (!probe) recorder.tokenEvent();
            if (previous == RequestStamps.NONE) {
                if (!probe) recorder.firstToken((arrivalNanos - stamps.sendNanos) / 1000);
                lane.firstTokenArrived();
            }
            else if (measured && !probe) recorder.recordItlMicros((arrivalNanos - previous) / 1000);
            if (setting.tokenBound() && stamps.maxTokens > 0 && stamps.tokenEvents() > overlongLimit(stamps.maxTokens)) {
                abortWith(ErrorClass.OVERLONG, stamps.tokenEvents() + " token events, with max_tokens " + stamps.maxTokens
                        + ": the server ignores the limit; the request was cut here", "more tokens than max_tokens");
                return;
            }
        }
        // A tool call's id may come in an element that carries no token yet: the history needs it all the same.
        if (capture != null && !finished && (info.carriesToken() || !info.toolCalls.isEmpty())) capture.add(info);
        if (info.finishReason != null && !info.carriesToken() && stamps.firstNanos != RequestStamps.NONE) endedByEmptyFinish = true;
        info.copyTotalsTo(stamps, arrivalNanos);
    }

    /**
     * Token events past which a request is cut as overlong: a safety bound against a server that never stops, not a
     * count check. Generous, as an event may carry less than a token (a proxy that re-chunks text by the character) and a
     * server may stream an end token or a tool call's head as events of their own.
     */
    static int overlongLimit(int maxTokens) {
        return 8 * maxTokens + 64;
    }

    @Override
    public void onErrorEvent(byte[] data, int offset, int length, long arrivalNanos) {
        if (ended || stamps.sawDone || stamps.error != null) return;
        streamError("'event: error'", new String(data, offset, Math.min(length, setting.limits().maxErrorBodyBytes()), java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The server reported a failure inside its 200 stream: {@code what} it sent, and its (redacted) message. */
    private void streamError(String what, String body) {
        ServerError err = ServerError.parse(setting.redactor().redact(body));
        stamps.fail(ErrorClass.STREAM_ERROR, what + " in a " + stamps.httpStatus + " stream" + (err.detail().isEmpty() ? "" : ": " + err.detail()), err.reason());
    }

    @Override
    public void onComment(long arrivalNanos) {
        lastActivityNanos = arrivalNanos; // keep-alives count as activity, never as tokens
    }

    @Override
    public void onOversized(int limitBytes) {
        abortWith(ErrorClass.OVERSIZED, "an SSE line or event exceeded " + limitBytes + " bytes; the rest of the response was not read",
                "line or event over " + limitBytes + " bytes");
    }

    /** Applies the per-request timeouts; called periodically on the lane's event loop. */
    void checkTimeouts(long nowNanos) {
        if (ended) return;
        if (stamps.sawDone) { // the answer is whole: no timeout applies, only the grace for a body a proxy holds open
            if (nowNanos - stamps.endNanos > DONE_GRACE_NANOS) end();
            return;
        }
        RequestTimeouts.Expired expired = RequestTimeouts.check(setting.timeouts(), stamps, lastActivityNanos, nowNanos);
        if (expired != null) abortWith(expired.errorClass(), expired.detail(), null);
    }

    /** Stops a request still in flight when the step's drain bound ran out; not an error of the server. */
    void cancel() {
        if (ended) return;
        cancelled = true;
        if (sender != null) sender.abort();
        end();
    }

    boolean ended() {
        return ended;
    }

    /** Token events that arrived inside the step's measurement window. */
    int eventsInWindow() {
        return eventsInWindow;
    }

    RequestRecord record() {
        return record;
    }

    private void abortWith(ErrorClass cls, String detail, String reason) {
        stamps.fail(cls, detail, reason == null ? detail : reason);
        if (sender != null) sender.abort();
        end();
    }

    private void fail(ErrorClass cls, String detail) {
        stamps.fail(cls, detail);
        end();
    }

    private void end() {
        if (ended) return;
        ended = true;
        if (sender != null) sender.release(responseComplete);
        if (stamps.endNanos == RequestStamps.NONE) stamps.endNanos = System.nanoTime();
        boolean nothingRead = stamps.firstNanos == RequestStamps.NONE && !stamps.sawDone && stamps.finishReason == null;
        boolean eventStream = contentType == null || contentType.toLowerCase(java.util.Locale.ROOT).startsWith("text/event-stream");
        if (!cancelled && stamps.error == null && !eventStream && nothingRead) {
            stamps.fail(ErrorClass.NOT_STREAMED, "HTTP " + stamps.httpStatus + " with Content-Type " + contentType
                    + ", not an event stream: the server ignored stream: true, or a proxy rewrote the answer", "not an event stream");
        } else if (!cancelled && stamps.error == null && parser.hasPartialEvent() && !stamps.sawDone && stamps.finishReason == null) {
            stamps.fail(ErrorClass.TRUNCATED, "stream ended inside an event");
        }
        // A server may echo the prompt, headers and all, in an error or the answer, and write escape sequences a terminal obeys.
        stamps.redact(text -> Printable.of(setting.redactor().redact(text)));
        if (capture != null) capture.finish(stamps);
        record = RequestMetrics.compute(stamps, setting.stepId(), setting.workerId(), stream, seq, turn, cancelled, measured);
        lane.exchangeEnded(stamps.firstNanos == RequestStamps.NONE);
        onEnd.accept(this);
    }
}
