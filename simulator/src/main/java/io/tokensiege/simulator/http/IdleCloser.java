package io.tokensiege.simulator.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.util.HashMap;
import java.util.Map;

/**
 * Closes keep-alive connections that stay idle (no request in progress) longer than the profile's
 * {@code idle_close_ms}, as real servers' keep-alive timeouts do (llama.cpp and uvicorn: 5 s). One
 * per listener, touched only on its event loop: a connection, its requests and their ends all run there.
 */
final class IdleCloser {
    private final Vertx vertx;
    private final long idleMillis;
    private final Map<HttpConnection, Idle> connections = new HashMap<>();

    /** Requests in progress on one connection, and the timer that closes it once there are none. */
    private static final class Idle {
        int inProgress;
        long timerId = -1;
    }

    IdleCloser(Vertx vertx, long idleMillis) {
        this.vertx = vertx;
        this.idleMillis = idleMillis;
    }

    void opened(HttpConnection connection) {
        Idle idle = new Idle();
        connections.put(connection, idle);
        connection.closeHandler(v -> {
            Idle gone = connections.remove(connection);
            if (gone != null) vertx.cancelTimer(gone.timerId);
        });
        arm(connection, idle); // a connection opened and never used is idle too
    }

    /** A request started on its connection: not idle until its response ends. */
    void track(HttpServerRequest req) {
        HttpConnection connection = req.connection();
        Idle idle = connections.get(connection);
        if (idle == null) return;
        idle.inProgress++;
        vertx.cancelTimer(idle.timerId);
        boolean[] ended = {false}; // Vert.x may report an end and then a close of the same response
        req.response().endHandler(v -> {
            if (ended[0]) return;
            ended[0] = true;
            if (--idle.inProgress == 0 && connections.containsKey(connection)) arm(connection, idle);
        });
    }

    private void arm(HttpConnection connection, Idle idle) {
        idle.timerId = vertx.setTimer(idleMillis, t -> {
            if (idle.inProgress == 0) connection.close();
        });
    }
}
