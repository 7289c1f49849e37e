package io.tokensiege.simulator.http;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes one answer on its connection's event loop (its lane), in order, stamping the ground truth as the bytes
 * leave; a stall fault holds the writes back and lets them go late, in order. Not thread-safe by itself:
 * {@link CompletionStream} calls it under its own lock (engine callbacks and a stall's release come from different threads).
 */
final class ResponseWriter {
    private static final long NOT_A_TOKEN = Long.MIN_VALUE;

    private record Held(Buffer chunk, long scheduledSimNanos) {}

    private final WriteBatcher.Lane lane;
    private final HttpServerRequest httpRequest;
    private final HttpServerResponse response;
    private final GroundTruth truth;
    private final WriteLag writeLag;
    private final boolean closeAfterStream;
    /** Writes held back by a stall fault, released in order when it ends; null when not stalling. */
    private List<Held> held;
    private String endAfterHeld;

    ResponseWriter(WriteBatcher.Lane lane, HttpServerRequest httpRequest, GroundTruth truth, WriteLag writeLag, boolean closeAfterStream) {
        this.lane = lane;
        this.httpRequest = httpRequest;
        this.response = httpRequest.response();
        this.truth = truth;
        this.writeLag = writeLag;
        this.closeAfterStream = closeAfterStream;
    }

    void onClientClosed(Runnable closed) {
        response.closeHandler(v -> closed.run());
    }

    /** Opens a streamed (SSE) response and writes its first chunk; the truth's headers instant is when that chunk left. */
    void startStream(Map<String, String> headers, String roleChunk) {
        response.setChunked(true);
        headers.forEach(response::putHeader);
        lane.run(() -> {
            response.write(Buffer.buffer(roleChunk));
            truth.headersNanos = System.nanoTime();
        });
    }

    /** Holds every write from now on until {@code release} runs, {@code stallMs} after the writes before it left. */
    void stall(Vertx vertx, long stallMs, Runnable release) {
        held = new ArrayList<>();
        // Timed from the lane, after the writes before it: the gap on the wire is at least the stall, even when the loop lags.
        lane.run(() -> vertx.setTimer(Math.max(1, stallMs), t -> lane.run(release)));
    }

    /** Writes a token chunk, which carries the simulated instant its engine emitted it. */
    void token(Buffer chunk, long scheduledSimNanos) {
        write(chunk, scheduledSimNanos);
    }

    /** Writes a chunk that is not a token (an end, an error). */
    void chunk(Buffer chunk) {
        write(chunk, NOT_A_TOKEN);
    }

    /** Writes {@code chunk} on the connection's loop; a token chunk carries the simulated instant its engine emitted it. */
    private void write(Buffer chunk, long scheduledSimNanos) {
        if (held != null) {
            held.add(new Held(chunk, scheduledSimNanos));
            return;
        }
        // Written on the connection's own event loop, and stamped there: the truth is when the bytes went
        // to the socket, not when the engine thread produced them (a busy loop can lag by milliseconds).
        lane.run(() -> writeNow(chunk, scheduledSimNanos, true));
    }

    private void writeNow(Buffer chunk, long scheduledSimNanos, boolean onSchedule) {
        long flushed = System.nanoTime(); // stamped before the write: a client can never see the token earlier
        response.write(chunk);
        if (scheduledSimNanos != NOT_A_TOKEN) {
            truth.token(flushed);
            if (onSchedule) writeLag.tokenWritten(scheduledSimNanos, flushed);
        }
    }

    /** The stall is over: what it held goes out now, and the end it held; nothing when the stream was {@code cut} meanwhile. */
    void release(boolean cut) {
        List<Held> pending = held;
        held = null;
        if (pending == null || cut) return;
        for (Held h : pending) writeNow(h.chunk, h.scheduledSimNanos, false); // late on purpose: not the simulator's lag
        if (endAfterHeld != null) end(endAfterHeld);
    }

    /** Ends the stream after its last write, which a stall may still be holding back. */
    void endStream(String outcome) {
        if (held != null) endAfterHeld = outcome;
        else end(outcome);
    }

    /**
     * The truth is recorded before the end leaves, so a client holding the whole response never reads it as in flight.
     * A server that closes after streaming (llama.cpp) closes once the end is written.
     */
    private void end(String outcome) {
        lane.run(() -> {
            truth.endNanos = System.nanoTime();
            truth.outcome = outcome;
            var ended = response.end();
            if (closeAfterStream) ended.onComplete(done -> httpRequest.connection().close());
        });
    }

    /** The whole JSON answer of a request not streamed. */
    void whole(String body) {
        lane.run(() -> {
            truth.endNanos = System.nanoTime();
            truth.outcome = "ok";
            response.putHeader("content-type", "application/json").end(body);
        });
    }

    /** A request not streamed gets the server's mid-answer failure as a 500. */
    void serverError(ServerHabits habits) {
        lane.run(() -> {
            truth.endNanos = System.nanoTime();
            truth.outcome = "stream_error";
            habits.error(httpRequest, 500, ChunkFormat.STREAM_ERROR_MESSAGE, "server_error", null, null);
        });
    }

    /** The connection is reset mid-answer: no end, no {@code [DONE]}. */
    void drop() {
        lane.run(() -> {
            truth.outcome = "dropped";
            truth.endNanos = System.nanoTime();
            response.reset();
        });
    }
}
