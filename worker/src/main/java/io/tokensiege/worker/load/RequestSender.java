package io.tokensiege.worker.load;

import io.tokensiege.common.metric.ErrorClass;
import io.tokensiege.common.metric.RequestStamps;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import java.util.Locale;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Gets one request onto a connection and holds that connection until the request ends. A request whose
 * <em>reused</em> connection turns out closed before any response byte (the server closed it as we picked it) goes
 * once more on a fresh connection, keeping its original {@code t_send}; it is never a server error. A fresh
 * connection that fails is a {@code connect} error. A new connection's connect time is stamped as {@code connect}
 * (it is inside ttfb and ttft too, as for any client). On the lane's event loop, like its {@link Exchange}.
 */
final class RequestSender {
    private final ServerConnections connections;
    private final RequestOptions options;
    private final Buffer body;
    private final RequestStamps stamps;
    private final BooleanSupplier ended;
    private final Consumer<HttpClientResponse> onResponse;
    private final BiConsumer<ErrorClass, String> onFailure;
    private ServerConnections.Lease lease;
    private HttpClientRequest request;

    RequestSender(ServerConnections connections, RequestOptions options, Buffer body, RequestStamps stamps, BooleanSupplier ended,
                  Consumer<HttpClientResponse> onResponse, BiConsumer<ErrorClass, String> onFailure) {
        this.connections = connections;
        this.options = options;
        this.body = body;
        this.stamps = stamps;
        this.ended = ended;
        this.onResponse = onResponse;
        this.onFailure = onFailure;
    }

    void send() {
        attempt(false);
    }

    private void attempt(boolean fresh) {
        connections.acquire(fresh).onComplete(ar -> {
            if (ar.failed()) {
                if (!ended.getAsBoolean()) onFailure.accept(ErrorClass.CONNECT, describe(ar.cause()));
                return;
            }
            ServerConnections.Lease l = ar.result();
            if (ended.getAsBoolean()) { // timed out or cancelled while connecting
                connections.release(l, false);
                return;
            }
            lease = l;
            stamps.reusedConnection = l.reused();
            if (!l.reused()) stamps.connectNanos = Math.max(0, stamps.connectNanos) + l.connectNanos();
            l.conn().http.request(options).onComplete(rq -> {
                if (ended.getAsBoolean()) return;
                if (rq.failed()) {
                    attemptFailed(rq.cause());
                    return;
                }
                request = rq.result();
                request.send(body).onComplete(rr -> {
                    if (ended.getAsBoolean()) return;
                    if (rr.failed()) attemptFailed(rr.cause());
                    else onResponse.accept(rr.result());
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
        if (isOversizedHead(cause)) { // the server answered, with a head too large to read: not a connection problem
            connections.discard(failed);
            onFailure.accept(ErrorClass.OVERSIZED, "the response's status line or headers exceeded the HTTP client's limit (" + describe(cause) + ")");
            return;
        }
        if (failed.reused() && stamps.attempts == 1) {
            connections.staleFailure(failed);
            stamps.attempts = 2;
            connections.habits().staleRetry();
            attempt(true);
            return;
        }
        connections.discard(failed);
        onFailure.accept(ErrorClass.CONNECT, describe(cause));
    }

    private static boolean isOversizedHead(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) if (t instanceof io.netty.handler.codec.TooLongFrameException) return true;
        return false;
    }

    /**
     * What a response's head says of its connection, told to the lane's habits: a close-delimited body or a
     * "Connection: close" leaves it unable to carry another request.
     */
    void noteResponseHead(HttpClientResponse response) {
        boolean closeDelimited = response.version() == HttpVersion.HTTP_1_0
                || (response.getHeader("content-length") == null && !"chunked".equalsIgnoreCase(response.getHeader("transfer-encoding")));
        String connection = response.getHeader("connection");
        connections.habits().response(connection, response.getHeader("keep-alive"), closeDelimited);
        boolean closes = closeDelimited || (connection != null && connection.toLowerCase(Locale.ROOT).contains("close"));
        if (closes && lease != null) lease.conn().reusable = false;
    }

    /** Gives up the response: its connection can never carry another request. */
    void abort() {
        if (lease != null) {
            connections.discard(lease);
            lease = null;
        }
        if (request != null) request.reset();
    }

    /** The request ended: its connection goes back to the lane, reusable if the response was read to its end. */
    void release(boolean responseComplete) {
        if (lease != null) {
            connections.release(lease, responseComplete);
            lease = null;
        }
    }

    static String describe(Throwable t) {
        String m = t.getMessage() == null ? "" : ": " + t.getMessage().replaceAll("\\s+", " ").trim();
        return t.getClass().getSimpleName() + (m.length() > 200 ? m.substring(0, 200) + "..." : m);
    }
}
