package io.tokensiege.deploy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The floor for CPU per token: the least a client can do and still stream chat completions. One thread of plain NIO
 * keeps {@code streams} keep-alive connections, each in a closed loop of the same requests as the bench's worker; it
 * reads every event as it arrives, counts token events by a byte pattern and sends the next request on {@code [DONE]}.
 * No HTTP or JSON parsing and no records: what it spends is the kernel's and the JVM's share. While asked to
 * ({@link #timeFirstTokens}) it also keeps each request's time to first token (send to the read that brought the first
 * content token) under the simulator's request id, read from the {@code x-sim-request-id} header: the floor of a
 * client's TTFT bias too.
 */
final class MinimalStreamReader implements AutoCloseable {
    private static final byte[] TOKEN = "{\"content\":\"".getBytes(StandardCharsets.US_ASCII); // a content delta; the role chunk has "role" first
    private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REQUEST_ID = "x-sim-request-id: ".getBytes(StandardCharsets.US_ASCII);

    private final Selector selector;
    private final List<SocketChannel> sockets = new ArrayList<>();
    private final byte[] request;
    /** Direct: a heap buffer would make the JDK read into a temporary direct one and copy. */
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
    long tokens;
    /** Simulator request id to time to first token in µs, of the requests sent while {@link #timeFirstTokens} was on. */
    final Map<Long, Long> firstTokenMicros = new HashMap<>();
    private boolean timing;

    /** Connection state: how much of each pattern the last read ended in (a pattern can straddle two reads). */
    private static final class Stream {
        int tokenMatched;
        int doneMatched;
        int idMatched;
        boolean readingId;
        long id = -1;
        long sendNanos;
        boolean timed;
        boolean sawToken;
    }

    MinimalStreamReader(int port, int streams, int maxTokens) throws IOException {
        selector = Selector.open();
        String body = "{\"model\":\"bench-model\",\"stream\":true,\"max_tokens\":" + maxTokens
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Say something.\"}]}";
        request = ("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < streams; i++) {
            SocketChannel s = SocketChannel.open(new InetSocketAddress("127.0.0.1", port)); // one at a time: no accept-queue overflow
            s.setOption(StandardSocketOptions.TCP_NODELAY, true);
            Stream st = new Stream();
            send(s, st);
            s.configureBlocking(false);
            s.register(selector, SelectionKey.OP_READ, st);
            sockets.add(s);
        }
    }

    /** Whether requests sent from now on have their time to first token kept in {@link #firstTokenMicros}. */
    void timeFirstTokens(boolean on) {
        timing = on;
    }

    /** Reads until {@code untilNanos} (System.nanoTime), as events arrive. */
    void readUntil(long untilNanos) throws IOException {
        long now;
        while ((now = System.nanoTime()) < untilNanos) {
            selector.select(Math.max(1, (untilNanos - now) / 1_000_000));
            for (SelectionKey key : selector.selectedKeys()) {
                SocketChannel s = (SocketChannel) key.channel();
                Stream st = (Stream) key.attachment();
                // One read per wake-up: the selector is level-triggered, so what a full buffer left behind wakes it again
                // (reading on until a read returns 0 costs a second syscall per token event).
                int n = s.read(buffer.clear());
                if (n > 0 && scan(st, buffer, n, System.nanoTime())) send(s, st);
                if (n < 0) key.cancel();
            }
            selector.selectedKeys().clear();
        }
    }

    /** Counts token events in {@code n} bytes read at {@code readNanos}; true when the response's {@code [DONE]} came. */
    private boolean scan(Stream st, ByteBuffer bytes, int n, long readNanos) {
        boolean done = false;
        for (int i = 0; i < n; i++) {
            byte b = bytes.get(i);
            if (st.readingId) {
                if (b >= '0' && b <= '9') st.id = st.id * 10 + (b - '0');
                else st.readingId = false;
            } else if (st.id < 0) {
                st.idMatched = b == REQUEST_ID[st.idMatched] ? st.idMatched + 1 : (b == REQUEST_ID[0] ? 1 : 0);
                if (st.idMatched == REQUEST_ID.length) {
                    st.readingId = true;
                    st.id = 0;
                }
            }
            st.tokenMatched = b == TOKEN[st.tokenMatched] ? st.tokenMatched + 1 : (b == TOKEN[0] ? 1 : 0);
            if (st.tokenMatched == TOKEN.length) {
                tokens++;
                st.tokenMatched = 0;
                if (!st.sawToken && st.timed && st.id >= 0) firstTokenMicros.put(st.id, (readNanos - st.sendNanos) / 1000);
                st.sawToken = true;
            }
            st.doneMatched = b == DONE[st.doneMatched] ? st.doneMatched + 1 : (b == DONE[0] ? 1 : 0);
            if (st.doneMatched == DONE.length) {
                done = true;
                st.doneMatched = 0;
            }
        }
        return done;
    }

    private void send(SocketChannel s, Stream st) throws IOException {
        st.id = -1;
        st.idMatched = 0;
        st.readingId = false;
        st.sawToken = false;
        st.timed = timing;
        st.sendNanos = System.nanoTime();
        ByteBuffer out = ByteBuffer.wrap(request);
        while (out.hasRemaining()) s.write(out); // a few hundred bytes into an empty socket buffer: one write
    }

    @Override
    public void close() throws IOException {
        for (SocketChannel s : sockets) s.close();
        selector.close();
    }
}
