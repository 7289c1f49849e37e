package io.tokensiege.worker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw-socket HTTP/1.1 server whose every byte a test scripts: how a real server answers and, above all,
 * what it does with the connection afterwards (close after each stream while advertising keep-alive, close on
 * errors, close idle connections, HTTP/1.0 close-delimited bodies) or how it misbehaves. One thread per
 * connection; every socket is closed by {@link #close()}.
 */
public final class ScriptedServer implements AutoCloseable {
    /** What the server does with one request on a connection; returns false to close the connection. */
    @FunctionalInterface
    public interface Script {
        boolean answer(Request request) throws IOException;
    }

    /** One request as read, and the socket to answer it on. */
    public static final class Request {
        public final Socket socket;
        public final OutputStream out;
        public final String requestLine;
        public final String headers;
        public final String body;
        /** 0 for the first request on its connection. */
        public final int indexOnConnection;

        Request(Socket socket, OutputStream out, String requestLine, String headers, String body, int indexOnConnection) {
            this.socket = socket;
            this.out = out;
            this.requestLine = requestLine;
            this.headers = headers;
            this.body = body;
            this.indexOnConnection = indexOnConnection;
        }

        public void write(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        public void write(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        /** A complete chunked SSE response with {@code tokens} content tokens, usage and [DONE]. */
        public void streamChunked(String extraHeaders, int tokens) throws IOException {
            write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n" + extraHeaders + "\r\n");
            for (String event : sseEvents(tokens)) write(Integer.toHexString(event.getBytes(StandardCharsets.UTF_8).length) + "\r\n" + event + "\r\n");
            write("0\r\n\r\n");
        }

        /**
         * Holds the answer back for {@code millis}, as a server busy with a prompt does, while watching the socket: returns
         * false (and closes it) if the client hung up meanwhile.
         */
        public boolean pause(long millis) throws IOException {
            socket.setSoTimeout((int) millis);
            try {
                if (socket.getInputStream().read() < 0) {
                    socket.close(); // the client hung up
                    return false;
                }
            } catch (java.net.SocketTimeoutException waited) {
                // the pause: nothing to read is the point
            }
            return true;
        }

        public boolean isGet() {
            return requestLine.startsWith("GET ");
        }
    }

    private final ServerSocket listener;
    private final Script script;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    public final AtomicInteger connections = new AtomicInteger();
    public final AtomicInteger requests = new AtomicInteger();
    /** Connections the client closed while the server waited for their next request. */
    public final AtomicInteger closedByClient = new AtomicInteger();
    private volatile boolean closed;

    public ScriptedServer(Script script) throws IOException {
        this.script = script;
        this.listener = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "scripted-server-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Waits until {@code counter} (one of this server's) reaches {@code n}, at most {@code seconds}; returns its value. */
    public synchronized int awaitCount(AtomicInteger counter, int n, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long left;
        while (counter.get() < n && (left = deadline - System.nanoTime()) > 0) TimeUnit.NANOSECONDS.timedWait(this, left);
        return counter.get();
    }

    private synchronized void counted() {
        notifyAll();
    }

    public int port() {
        return listener.getLocalPort();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port() + "/v1";
    }

    private void accept() {
        while (!closed) {
            try {
                Socket s = listener.accept();
                s.setTcpNoDelay(true);
                sockets.add(s);
                connections.incrementAndGet();
                counted();
                Thread t = new Thread(() -> serve(s), "scripted-server-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            for (int index = 0; !closed; index++) {
                String head = readHead(in);
                if (head == null) {
                    if (!closed) closedByClient.incrementAndGet();
                    counted();
                    return;
                }
                int nl = head.indexOf("\r\n");
                String requestLine = nl < 0 ? head : head.substring(0, nl);
                String headers = nl < 0 ? "" : head.substring(nl + 2);
                int length = contentLength(headers);
                byte[] body = in.readNBytes(length);
                requests.incrementAndGet();
                counted();
                if (!script.answer(new Request(s, out, requestLine, headers, new String(body, StandardCharsets.UTF_8), index))) return;
            }
        } catch (IOException e) {
            // the client went away, or the test closed the server
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3)) ? matched + 1 : 0;
            if (matched == 4) return head.toString(StandardCharsets.ISO_8859_1).trim();
            if (head.size() > 64 * 1024) return null;
        }
        return null;
    }

    private static int contentLength(String headers) {
        for (String line : headers.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) return Integer.parseInt(line.substring(15).trim());
        }
        return 0;
    }

    /** The SSE events of a normal answer: role chunk, {@code tokens} content chunks, finish, usage, [DONE]. */
    public static List<String> sseEvents(int tokens) {
        List<String> events = new java.util.ArrayList<>();
        String head = "data: {\"id\":\"chatcmpl-scripted\",\"object\":\"chat.completion.chunk\",\"choices\":[";
        events.add(head + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":null},\"finish_reason\":null}]}\n\n");
        for (int i = 0; i < tokens; i++) events.add(head + "{\"index\":0,\"delta\":{\"content\":\" tok" + i + "\"},\"finish_reason\":null}]}\n\n");
        events.add(head + "{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}\n\n");
        events.add(head + "],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":" + tokens + ",\"total_tokens\":" + (12 + tokens) + "}}\n\n");
        events.add("data: [DONE]\n\n");
        return events;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
