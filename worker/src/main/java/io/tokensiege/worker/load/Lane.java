package io.tokensiege.worker.load;

import io.tokensiege.worker.record.LaneRecorder;
import io.tokensiege.worker.sse.ChunkDecoder;
import io.tokensiege.worker.sse.SseParser;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Context;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.buffer.BufferInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One event loop's part of a step: its own context, HTTP client and {@link ServerConnections}, and the
 * requests in flight on it.
 */
final class Lane {
    final Context context;
    final List<Integer> streams = new ArrayList<>();
    final List<Exchange> inFlight = new ArrayList<>();
    final ServerConnections connections;
    /** Written only on this lane's loop. */
    final LaneRecorder recorder;
    /** Shared by this lane's exchanges (all on its loop): its parser learns the chunks' field names once. */
    final ChunkDecoder decoder = new ChunkDecoder();
    private final HttpClientAgent agent;
    /** Streams of this lane still issuing requests; touched only on this lane's event loop. */
    int activeStreams;
    long sweeper = -1;
    /** Written on this lane's loop, read by the snapshot timer from another: hence atomic (the list itself is loop-only). */
    private final AtomicInteger inFlightCount = new AtomicInteger();
    private final AtomicInteger awaitingFirstToken = new AtomicInteger();

    /** {@code eventLoop}: one of {@link #eventLoops}, a different one for each lane of a step. */
    Lane(Vertx vertx, EventLoop eventLoop, long idleTimeoutSeconds, HttpConnectOptions connect, ConnectionHabits habits, LaneRecorder recorder) {
        this.recorder = recorder;
        // A context on the event loop given. Not createEventLoopContext()'s round-robin: building the lane's HTTP client
        // takes the next event loop too, so on two loops every lane landed on the same one (one core did all the work).
        this.context = ((VertxInternal) vertx).contextBuilder().withThreadingModel(ThreadingModel.EVENT_LOOP).withEventLoop(eventLoop).build();
        HttpClientOptions options = new HttpClientOptions().setKeepAlive(true).setPipelining(false).setTcpNoDelay(true)
                .setIdleTimeout((int) Math.max(0, idleTimeoutSeconds)).setMaxInitialLineLength(16_384);
        this.agent = vertx.httpClientBuilder().with(options).build();
        this.connections = new ServerConnections(context, agent, connect, habits);
    }

    /** The event loops of {@code vertx}, in a fixed order: lane {@code i} of a step takes loop {@code i % size}. */
    static List<EventLoop> eventLoops(Vertx vertx) {
        List<EventLoop> loops = new ArrayList<>();
        for (EventExecutor e : ((VertxInternal) vertx).nettyEventLoopGroup()) loops.add((EventLoop) e);
        return loops;
    }

    private byte[] scratch = new byte[16 << 10];

    /**
     * Parses a network read where it lies: Vert.x hands over a heap buffer (its own copy of Netty's), whose array the
     * parser reads in place; any other kind is copied once into this lane's scratch array (the parser copies what it
     * keeps), never into a new one.
     */
    void feed(SseParser parser, Buffer buffer, long arrivalNanos) {
        ByteBuf bytes = ((BufferInternal) buffer).getByteBuf();
        int n = bytes.readableBytes();
        if (bytes.hasArray()) {
            parser.feed(bytes.array(), bytes.arrayOffset() + bytes.readerIndex(), n, arrivalNanos);
            return;
        }
        if (scratch.length < n) scratch = new byte[Math.max(n, scratch.length * 2)];
        bytes.getBytes(bytes.readerIndex(), scratch, 0, n);
        parser.feed(scratch, 0, n, arrivalNanos);
    }

    void exchangeStarted() {
        inFlightCount.incrementAndGet();
        awaitingFirstToken.incrementAndGet();
    }

    void firstTokenArrived() {
        awaitingFirstToken.decrementAndGet();
    }

    void exchangeEnded(boolean withoutFirstToken) {
        inFlightCount.decrementAndGet();
        if (withoutFirstToken) awaitingFirstToken.decrementAndGet();
    }

    int inFlightCount() {
        return inFlightCount.get();
    }

    int awaitingFirstTokenCount() {
        return awaitingFirstToken.get();
    }

    /** Closes every connection and the client, on the lane's own loop. */
    void close() {
        context.runOnContext(v -> {
            connections.closeAll();
            agent.close();
        });
    }
}
