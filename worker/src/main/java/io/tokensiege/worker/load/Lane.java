package io.tokensiege.worker.load;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.internal.VertxInternal;
import java.util.ArrayList;
import java.util.List;

/**
 * One event loop's part of a step: its own context and HTTP client, whose pool holds a connection
 * for each of its streams (Vert.x's default of 5 would queue the rest — STACK-NOTES).
 */
final class Lane {
    final Context context;
    final HttpClient client;
    final List<Integer> streams = new ArrayList<>();
    final List<Exchange> inFlight = new ArrayList<>();
    /** Streams of this lane still issuing requests; touched only on this lane's event loop. */
    int activeStreams;
    long sweeper = -1;

    Lane(Vertx vertx, int poolSize, long idleTimeoutSeconds) {
        // A fresh event-loop context per lane (round-robin over event loops): public getOrCreateContext()
        // would return the caller's context when called from an event loop, putting every lane on one core.
        this.context = ((VertxInternal) vertx).createEventLoopContext();
        HttpClientOptions options = new HttpClientOptions().setKeepAlive(true).setPipelining(false).setTcpNoDelay(true)
                .setIdleTimeout((int) Math.max(0, idleTimeoutSeconds)).setMaxInitialLineLength(16_384);
        this.client = vertx.httpClientBuilder().with(options).with(new PoolOptions().setHttp1MaxSize(Math.max(1, poolSize))).build();
    }
}
