package io.tokensiege.worker.load;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientConnection;
import io.vertx.core.http.HttpConnectOptions;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * One lane's connections to the target, managed here rather than by Vert.x's pool so that what a server
 * does with them is seen and reported: which requests reused a connection and which paid for a new one
 * (its connect time belongs in that request's ttfb and ttft, as for any client), and when the server
 * closed one. A server that closes after every response (llama.cpp does, while advertising keep-alive)
 * turns the lane to one connection per request, instead of racing the close on every request.
 *
 * <p>Confined to the lane's event loop: every method and callback runs there.
 */
final class ServerConnections {
    /**
     * A close this soon after a response is the server's habit, not its keep-alive timeout: llama.cpp closes within
     * a millisecond, and keep-alive timeouts are seconds (llama.cpp 5 s, uvicorn 5 s, nginx 75 s).
     */
    static final long AFTER_RESPONSE_NANOS = 100_000_000L;
    /**
     * Closes after responses seen before the lane stops reusing connections; one is enough while no reuse of a used
     * connection has ever worked (a server that closes only at its keep-alive limit has reused many first).
     */
    static final int CLOSES_BEFORE_PER_REQUEST = 2;

    /** A connection and what this lane knows of it. */
    static final class Conn {
        final HttpClientConnection http;
        int responses;
        boolean busy;
        boolean closed;
        boolean closingByUs;
        boolean reusable = true;
        /** When it last became idle: opened, or a response ended on it. */
        long idleSinceNanos = System.nanoTime();

        Conn(HttpClientConnection http) {
            this.http = http;
        }
    }

    /** A connection handed to one request: {@code connectNanos} is NONE when it was reused. */
    record Lease(Conn conn, boolean reused, long connectNanos) {}

    private final Context context;
    private final HttpClientAgent agent;
    private final HttpConnectOptions connectOptions;
    private final ConnectionHabits habits;
    private final Deque<Conn> idle = new ArrayDeque<>();
    private int closesAfterResponse;
    private int reusesThatWorked;
    private boolean closed;

    ServerConnections(Context context, HttpClientAgent agent, HttpConnectOptions connectOptions, ConnectionHabits habits) {
        this.context = context;
        this.agent = agent;
        this.connectOptions = connectOptions;
        this.habits = habits;
    }

    /**
     * A connection for one request: an idle one when reuse is allowed and {@code fresh} is false, else a new one.
     *
     * <p>An idle one is taken a turn of the event loop later. A request that ends is followed at once by the next, on the
     * same connection and within the same network read: bytes the server sent after the response that ended (an answer
     * to a request not yet sent) would be read as the next request's answer, with a TTFT of a millisecond. A turn later
     * they have been read with no request in flight, which Vert.x refuses by closing the connection.
     */
    Future<Lease> acquire(boolean fresh) {
        if (!fresh && !habits.perRequest() && !idle.isEmpty()) {
            Promise<Lease> taken = Promise.promise();
            context.runOnContext(v -> takeIdle().onComplete(taken));
            return taken.future();
        }
        return openLease();
    }

    private Future<Lease> takeIdle() {
        Conn c;
        while ((c = idle.pollFirst()) != null) {
            if (c.closed) continue;
            c.busy = true;
            habits.reused();
            return Future.succeededFuture(new Lease(c, true, io.tokensiege.common.metric.RequestStamps.NONE));
        }
        return openLease();
    }

    private Future<Lease> openLease() {
        long started = System.nanoTime();
        return open().map(c -> {
            c.busy = true;
            habits.connected();
            return new Lease(c, false, System.nanoTime() - started);
        });
    }

    /** Opens {@code n} idle connections ahead of the step, outside every request's timing. */
    Future<Void> prewarm(int n) {
        if (n <= 0 || habits.perRequest()) return Future.succeededFuture();
        java.util.List<Future<?>> opening = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            opening.add(open().onSuccess(c -> {
                if (closed) { // the share ended (aborted) while this one was opening
                    close(c);
                    return;
                }
                habits.prewarmed();
                idle.addLast(c);
            }));
        }
        return Future.join(opening).otherwiseEmpty().mapEmpty();
    }

    private Future<Conn> open() {
        return agent.connect(connectOptions).map(http -> {
            Conn c = new Conn(http);
            http.closeHandler(v -> onClosed(c));
            return c;
        });
    }

    /** The request on this lease ended; its connection goes back for reuse if the server and the response allow. */
    void release(Lease lease, boolean responseComplete) {
        Conn c = lease.conn();
        c.busy = false;
        if (c.closed) return;
        if (responseComplete) {
            if (c.responses > 0) reusesThatWorked++;
            c.responses++;
            c.idleSinceNanos = System.nanoTime();
        }
        if (closed || !responseComplete || !c.reusable || habits.perRequest()) {
            close(c);
            return;
        }
        idle.addFirst(c); // most recently used first: the warmest connection, and idle ones age out at the back
    }

    /** A connection that broke mid-request or is being abandoned (cancel, timeout): closed by us. */
    void discard(Lease lease) {
        lease.conn().busy = false;
        close(lease.conn());
    }

    private void close(Conn c) {
        if (c.closed) return;
        c.closingByUs = true;
        c.http.close();
    }

    /**
     * A reused connection failed before any response byte: the server had closed it while we picked it. That is the
     * same habit as a close seen while idle, and counts as one.
     */
    void staleFailure(Lease lease) {
        Conn c = lease.conn();
        c.busy = false;
        if (!c.closingByUs) serverClosed(c);
        close(c);
    }

    private void onClosed(Conn c) {
        c.closed = true;
        idle.remove(c);
        if (c.closingByUs || c.busy) return; // ours, or a request's failure (that request reports it)
        serverClosed(c);
    }

    private void serverClosed(Conn c) {
        long idleNanos = System.nanoTime() - c.idleSinceNanos;
        if (c.responses > 0 && idleNanos < AFTER_RESPONSE_NANOS) {
            habits.closedAfterResponse();
            if (++closesAfterResponse >= CLOSES_BEFORE_PER_REQUEST || reusesThatWorked == 0) habits.switchToPerRequest();
        } else {
            habits.idleClosed(idleNanos / 1_000_000);
        }
    }

    ConnectionHabits habits() {
        return habits;
    }

    /** Closes every connection (step end); later releases close theirs. */
    void closeAll() {
        closed = true;
        for (Conn c : idle) close(c);
        idle.clear();
    }
}
