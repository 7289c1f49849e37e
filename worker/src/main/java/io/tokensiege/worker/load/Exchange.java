package io.tokensiege.worker.load;

import io.tokensiege.common.metric.ErrorClass;
import io.tokensiege.common.metric.RequestMetrics;
import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.metric.RequestStamps;
import io.tokensiege.common.metric.ServerError;
import io.tokensiege.common.plan.Limits;
import io.tokensiege.common.plan.Timeouts;
import io.tokensiege.common.security.Redactor;
import io.tokensiege.worker.record.LaneRecorder;
import io.tokensiege.worker.sse.ChunkDecoder;
import io.tokensiege.worker.sse.ChunkInfo;
import io.tokensiege.worker.sse.SseParser;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.util.function.Consumer;

/**
 * One streamed chat-completion request: sends it, stamps every event's arrival before any parsing,
 * decodes chunks into {@link RequestStamps}, and ends exactly once — on [DONE]/end of stream, an
 * error, a timeout ({@link #checkTimeouts}) or a cancel. Runs on one event loop (its lane's).
 *
 * <p>{@code t_send} is stamped when the request is issued, before its connection is acquired: when a new
 * connection is needed, its connect time is part of what any client would see, so it is inside ttfb and
 * ttft (and recorded on its own as {@code connect}). A request whose <em>reused</em> connection turns out
 * closed before any response byte (the server closed it as we picked it) goes once more on a fresh
 * connection, keeping its original {@code t_send}; it is never a server error. A fresh connection that
 * fails is a {@code connect} error.
 *
 * <p>A hot-path class, larger than most: every event of every stream passes through {@link #onEvent}, and keeping the
 * request's life (attempts, response, events, timeouts, end) in one place on one event loop keeps it lock-free.
 * What can stand apart does: {@link ErrorResponse}, {@link AnswerCapture}, {@link ServerConnections}.
 */
final class Exchange implements SseParser.Listener {
    final RequestStamps stamps = new RequestStamps();
    private final MeasurementWindow window;
    private final Lane lane;
    private int eventsInWindow;
    final int stream;
    final int seq;
    final int turn;
    final boolean measured;
    private final String stepId;
    private final String workerId;
    private final Timeouts timeouts;
    private final Limits limits;
    private final LaneRecorder recorder;
    private final Redactor redactor;
    private final ChunkDecoder decoder;
    /** Agent sessions keep the whole answer (bounded) and its tool calls, to carry them in the next turn's history. */
    private AnswerCapture capture;
    private final SseParser parser;
    private final Consumer<Exchange> onEnd;
    private final EpochClock clock;
    private ServerConnections connections;
    private ServerConnections.Lease lease;
    private RequestOptions options;
    private Buffer body;
    private HttpClientRequest request;
    private long lastActivityNanos;
    private boolean responseComplete;
    private String redirectLocation;
    private boolean ended;
    private boolean cancelled;
    private RequestRecord record;

    Exchange(String stepId, String workerId, int stream, int seq, int turn, boolean measured, long intendedNanos, Timeouts timeouts, Limits limits,
             LaneRecorder recorder, Redactor redactor, EpochClock clock, MeasurementWindow window, Lane lane, Consumer<Exchange> onEnd) {
        this.stepId = stepId;
        this.workerId = workerId;
        this.stream = stream;
        this.seq = seq;
        this.turn = turn;
        this.measured = measured;
        this.timeouts = timeouts;
        this.limits = limits;
        this.recorder = recorder;
        this.redactor = redactor;
        this.clock = clock;
        this.window = window;
        this.lane = lane;
        this.onEnd = onEnd;
        this.parser = new SseParser(this, limits.maxEventBytes());
        this.decoder = lane.decoder;
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

    void start(ServerConnections conns, RequestOptions requestOptions, Buffer requestBody) {
        this.connections = conns;
        this.options = requestOptions;
        this.body = requestBody;
        lane.exchangeStarted();
        stamps.sendNanos = System.nanoTime();
        stamps.sendEpochMicros = clock.epochMicros(stamps.sendNanos);
        if (stamps.intendedNanos == RequestStamps.NONE) stamps.intendedNanos = stamps.sendNanos;
        lastActivityNanos = stamps.sendNanos;
        attempt(false);
    }

    private void attempt(boolean fresh) {
        connections.acquire(fresh).onComplete(ar -> {
            if (ar.failed()) {
                if (!ended) fail(ErrorClass.CONNECT, describe(ar.cause()));
                return;
            }
            ServerConnections.Lease l = ar.result();
            if (ended) { // timed out or cancelled while connecting
                connections.release(l, false);
                return;
            }
            lease = l;
            stamps.reusedConnection = l.reused();
            if (!l.reused()) stamps.connectNanos = Math.max(0, stamps.connectNanos) + l.connectNanos();
            l.conn().http.request(options).onComplete(rq -> {
                if (ended) return;
                if (rq.failed()) {
                    attemptFailed(rq.cause());
                    return;
                }
                request = rq.result();
                request.send(body).onComplete(rr -> {
                    if (ended) return;
                    if (rr.failed()) attemptFailed(rr.cause());
                    else onResponse(rr.result());
                });
            });
        });
    }

    /** Nothing came back on this attempt's connection. A reused one may simply have been closed by the server as we took it. */
    private void attemptFailed(Throwable cause) {
        ServerConnections.Lease failed = lease;
        if (failed == null) return; // this attempt's failure was already handled (its request and its send may both report it)
        lease = null;
        request = null;
        if (failed.reused() && stamps.attempts == 1) {
            connections.staleFailure(failed);
            stamps.attempts = 2;
            connections.habits().staleRetry();
            attempt(true);
            return;
        }
        connections.discard(failed);
        fail(ErrorClass.CONNECT, describe(cause));
    }

    private void onResponse(HttpClientResponse response) {
        stamps.headersNanos = System.nanoTime();
        lastActivityNanos = stamps.headersNanos;
        int status = response.statusCode();
        stamps.httpStatus = status;
        boolean closeDelimited = response.version() == HttpVersion.HTTP_1_0
                || (response.getHeader("content-length") == null && !"chunked".equalsIgnoreCase(response.getHeader("transfer-encoding")));
        String connection = response.getHeader("connection");
        connections.habits().response(connection, response.getHeader("keep-alive"), closeDelimited);
        if (closeDelimited || (connection != null && connection.toLowerCase(java.util.Locale.ROOT).contains("close"))) lease.conn().reusable = false;
        if (status < 200 || status >= 300) {
            redirectLocation = response.getHeader("location");
            readErrorBody(response, status);
            return;
        }
        response.handler(buffer -> {
            long arrival = System.nanoTime(); // stamped before any parsing
            lastActivityNanos = arrival;
            if (!ended) feed(buffer, arrival);
        });
        response.exceptionHandler(t -> {
            // The connection went mid-stream (the server closed it, or the network did): say so, whatever came before.
            if (!cancelled && stamps.error == null && !stamps.sawDone && stamps.finishReason == null) {
                stamps.fail(ErrorClass.TRUNCATED, "connection lost mid-stream after " + stamps.tokenEvents() + " token events: " + describe(t));
            }
            end();
        });
        response.endHandler(v -> {
            responseComplete = true;
            end();
        });
    }

    /**
     * Parses a network read where it lies: Vert.x hands over a heap buffer (its own copy of Netty's), whose array the
     * parser reads in place; any other kind is copied once into the lane's scratch array, never into a new one.
     */
    private void feed(Buffer buffer, long arrivalNanos) {
        ByteBuf bytes = ((BufferInternal) buffer).getByteBuf();
        int n = bytes.readableBytes();
        if (bytes.hasArray()) {
            parser.feed(bytes.array(), bytes.arrayOffset() + bytes.readerIndex(), n, arrivalNanos);
        } else {
            byte[] scratch = lane.scratch(n);
            bytes.getBytes(bytes.readerIndex(), scratch, 0, n);
            parser.feed(scratch, 0, n, arrivalNanos);
        }
    }

    /** Reads at most {@link Limits#maxErrorBodyBytes()} of an error body: its status classifies it, its text explains it. */
    private void readErrorBody(HttpClientResponse response, int status) {
        Buffer text = Buffer.buffer();
        response.handler(b -> {
            lastActivityNanos = System.nanoTime();
            if (ended) return;
            int room = limits.maxErrorBodyBytes() - text.length();
            text.appendBuffer(b.length() <= room ? b : b.slice(0, Math.max(0, room)));
            if (b.length() > room) failWithBody(status, text, true);
        });
        response.exceptionHandler(t -> failWithBody(status, text, false));
        response.endHandler(v -> {
            responseComplete = true;
            failWithBody(status, text, false);
        });
    }

    private void failWithBody(int status, Buffer text, boolean cut) {
        if (ended) return;
        ErrorResponse e = ErrorResponse.of(status, text.toString(), redirectLocation, cut, limits.maxErrorBodyBytes(), redactor);
        stamps.fail(e.errorClass(), e.detail(), e.reason());
        if (cut) abort();
        end();
    }

    @Override
    public void onEvent(byte[] data, int offset, int length, long arrivalNanos) {
        if (ended) return;
        decoder.wantId(stamps.serverId == null);
        decoder.wantContentText(capture != null || RequestMetrics.wantsSample(stamps));
        ChunkInfo info = decoder.decode(data, offset, length);
        if (info.done) {
            stamps.sawDone = true;
            return;
        }
        if (info.malformed) {
            stamps.fail(ErrorClass.MALFORMED, info.malformedDetail);
            return;
        }
        if (info.errorJson != null) {
            ServerError err = ServerError.parse(redactor.redact(info.errorJson));
            stamps.fail(ErrorClass.STREAM_ERROR, "error event in a " + stamps.httpStatus + " stream: " + err.detail(), err.reason());
        }
        if (info.id != null && stamps.serverId == null) stamps.serverId = info.id;
        if (info.carriesToken()) {
            long previous = stamps.lastNanos;
            boolean content = info.contentChars > 0;
            boolean reasoning = info.reasoningChars > 0;
            boolean tool = info.toolCallParts > 0;
            int channels = (content ? 1 : 0) + (reasoning ? 1 : 0) + (tool ? 1 : 0);
            stamps.overlapEvents += channels - 1;
            stamps.tokenEvent(arrivalNanos, content, reasoning, tool);
            if (window.contains(arrivalNanos)) eventsInWindow++;
            if (content) RequestMetrics.appendAnswer(stamps, info.contentChars, info.contentText);
            if (capture != null) capture.add(info);
            recorder.tokenEvent();
            if (previous == RequestStamps.NONE) {
                recorder.firstToken((arrivalNanos - stamps.sendNanos) / 1000);
                lane.firstTokenArrived();
            }
            else if (measured) recorder.recordItlMicros((arrivalNanos - previous) / 1000);
        }
        info.copyTotalsTo(stamps);
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
        if (stamps.sendNanos == RequestStamps.NONE) return; // not started yet
        long sinceSend = nowNanos - stamps.sendNanos; // connecting is bounded by the connect timeout, and by these
        if (sinceSend > ms(timeouts.totalMillis())) {
            abortWith(ErrorClass.TIMEOUT_TOTAL, "no end after " + timeouts.inTargetTime(timeouts.totalMillis()), null);
        } else if (stamps.firstNanos == RequestStamps.NONE && sinceSend > ms(timeouts.firstTokenMillis())) {
            abortWith(ErrorClass.TIMEOUT_FIRST_TOKEN, "no token after " + timeouts.inTargetTime(timeouts.firstTokenMillis()), null);
        } else if (stamps.firstNanos != RequestStamps.NONE && nowNanos - lastActivityNanos > ms(timeouts.idleMillis())) {
            abortWith(ErrorClass.TIMEOUT_IDLE, "no event for " + timeouts.inTargetTime(timeouts.idleMillis()), null);
        }
    }

    /** Stops a request still in flight when the step's drain bound ran out; not an error of the server. */
    void cancel() {
        if (ended) return;
        cancelled = true;
        abort();
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
        abort();
        end();
    }

    /** Gives up the response: its connection can never carry another request. */
    private void abort() {
        if (lease != null) {
            connections.discard(lease);
            lease = null;
        }
        if (request != null) request.reset();
    }

    private void fail(ErrorClass cls, String detail) {
        stamps.fail(cls, detail);
        end();
    }

    private void end() {
        if (ended) return;
        ended = true;
        if (lease != null) {
            connections.release(lease, responseComplete);
            lease = null;
        }
        if (stamps.endNanos == RequestStamps.NONE) stamps.endNanos = System.nanoTime();
        if (!cancelled && stamps.error == null && parser.hasPartialEvent() && !stamps.sawDone && stamps.finishReason == null) {
            stamps.fail(ErrorClass.TRUNCATED, "stream ended inside an event");
        }
        stamps.errorDetail = redactor.redact(stamps.errorDetail);
        stamps.errorReason = redactor.redact(stamps.errorReason);
        redactAnswerSample();
        if (capture != null) capture.finish(stamps);
        record = RequestMetrics.compute(stamps, stepId, workerId, stream, seq, turn, cancelled, measured);
        lane.exchangeEnded(stamps.firstNanos == RequestStamps.NONE);
        onEnd.accept(this);
    }

    /** A server may echo the prompt, headers and all: the answer sample is stored, so it is redacted too. */
    private void redactAnswerSample() {
        String sample = stamps.answerSample.toString();
        String clean = redactor.redact(sample);
        if (!clean.equals(sample)) {
            stamps.answerSample.setLength(0);
            stamps.answerSample.append(clean);
        }
    }

    private static long ms(long millis) {
        return millis * 1_000_000L;
    }

    private static String describe(Throwable t) {
        String m = t.getMessage() == null ? "" : ": " + t.getMessage().replaceAll("\\s+", " ").trim();
        return t.getClass().getSimpleName() + (m.length() > 200 ? m.substring(0, 200) + "..." : m);
    }
}
