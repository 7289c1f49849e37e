package io.tokensiege.deploy;

import io.tokensiege.simulator.engine.EngineConfig;
import io.tokensiege.simulator.http.SimulatorServer;
import io.tokensiege.simulator.http.WriteLag;
import io.tokensiege.simulator.profile.FaultConfig;
import io.tokensiege.simulator.profile.Profile;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Can one simulator keep {@code streams} concurrent streams at {@code tokensPerSecond} each on this
 * machine? The client is a single thread of plain NIO that reads and discards the bytes (counting
 * SSE events), so nearly all the CPU is left to the simulator; the answer is the simulator's own
 * {@link WriteLag}: tokens written per second against the schedule, and how late they left.
 */
final class SimulatorCapacityBench {
    private static final int MAX_SETTLE_SECONDS = 20;
    private static final long READ_ROUND_MS = 50;
    private static final byte[] EVENT_START = "data:".getBytes(StandardCharsets.US_ASCII);

    private SimulatorCapacityBench() {}

    static void run(int streams, int tokensPerSecond, int seconds) throws Exception {
        Vertx vertx = Vertxes.create();
        long stepMs = Math.max(1, 1000 / tokensPerSecond);
        int maxTokens = (int) ((MAX_SETTLE_SECONDS + seconds + 5) * 1000 / stepMs); // every stream lasts past the window: no reconnects inside it
        Profile profile = new Profile("capacity", "bench", "bench-model", 1,
                new EngineConfig(streams, stepMs, 0, 1_000_000, 0, 0, 0, 64, 0, 16, 0, 0, 0, "reasoning"), FaultConfig.NONE);
        SimulatorServer sim = SimulatorServer.start(vertx, profile, "127.0.0.1", 0, 1).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        List<SocketChannel> sockets = new ArrayList<>();
        try (Selector selector = Selector.open()) {
            byte[] request = request(sim.port(), maxTokens);
            for (int i = 0; i < streams; i++) sockets.add(open(sim.port(), request, selector));
            EventCounter counter = new EventCounter();
            int settled = settle(selector, counter, sim, stepMs);
            long eventsBefore = counter.events;
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long processCpuBefore = processCpuNanos();
            long clientCpuBefore = threads.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            read(selector, counter, start + TimeUnit.SECONDS.toNanos(seconds));
            long elapsed = System.nanoTime() - start;
            double window = elapsed / 1e9;
            long clientCpu = threads.getCurrentThreadCpuTime() - clientCpuBefore;
            double simulatorCores = (processCpuNanos() - processCpuBefore - clientCpu) / (double) elapsed;
            WriteLag.Interval lag = sim.writeLag().interval();
            System.out.printf(Locale.ROOT, "simulator alone, %,d streams at %d tok/s (discarding client, %s after %d s of connecting): "
                            + "wrote %,.0f tok/s of %,d scheduled using %.2f cores (client %.2f); client read %,.0f events/s; "
                            + "write lag behind the engine's schedule p50 %.2f ms, p99 %.2f ms, max %.1f ms%n",
                    streams, tokensPerSecond, settled > 0 ? "settled" : "NOT settled", Math.abs(settled),
                    lag.tokens() / window, streams * tokensPerSecond, simulatorCores, clientCpu / (double) elapsed,
                    (counter.events - eventsBefore) / window,
                    lag.lagMicros().getValueAtPercentile(50) / 1000.0, lag.p99Ms(),
                    lag.lagMicros().getMaxValue() / 1000.0);
        } finally {
            for (SocketChannel s : sockets) s.close();
            sim.close();
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Connecting thousands of streams leaves a backlog; waits (up to {@value #MAX_SETTLE_SECONDS} s) for a
     * second in which the p99 write lag is within two decode steps. Returns the seconds waited, negated if it never settled.
     */
    private static int settle(Selector selector, EventCounter counter, SimulatorServer sim, long stepMs) throws IOException {
        sim.writeLag().interval();
        for (int s = 1; s <= MAX_SETTLE_SECONDS; s++) {
            read(selector, counter, System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
            WriteLag.Interval second = sim.writeLag().interval();
            if (second.tokens() > 0 && second.p99Ms() <= 2 * stepMs) return s;
        }
        return -MAX_SETTLE_SECONDS;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static byte[] request(int port, int maxTokens) {
        String body = "{\"model\":\"bench-model\",\"stream\":true,\"max_tokens\":" + maxTokens
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Say something long.\"}]}";
        return ("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII);
    }

    /** Blocking connect and send (loopback, one at a time: no accept-queue overflow), then non-blocking reads. */
    private static SocketChannel open(int port, byte[] request, Selector selector) throws IOException {
        SocketChannel s = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
        s.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ByteBuffer out = ByteBuffer.wrap(request);
        while (out.hasRemaining()) s.write(out);
        s.configureBlocking(false);
        s.register(selector, SelectionKey.OP_READ, new EventCounter.Matcher());
        return s;
    }

    private static void read(Selector selector, EventCounter counter, long untilNanos) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        long now;
        while ((now = System.nanoTime()) < untilNanos) {
            selector.select(Math.max(1, (untilNanos - now) / 1_000_000));
            long roundStart = System.nanoTime();
            for (SelectionKey key : selector.selectedKeys()) {
                SocketChannel s = (SocketChannel) key.channel();
                int n;
                while ((n = s.read(buffer.clear())) > 0) counter.count((EventCounter.Matcher) key.attachment(), buffer.array(), n);
                if (n < 0) key.cancel();
            }
            selector.selectedKeys().clear();
            // Reading each socket once per round of READ_ROUND_MS lets events pile up and be read together: the
            // client then costs a fraction of a core, which is left to the simulator being measured.
            LockSupport.parkNanos(roundStart + TimeUnit.MILLISECONDS.toNanos(READ_ROUND_MS) - System.nanoTime());
        }
    }

    /** Counts {@code data:} line starts across reads, per connection (a match can straddle two reads). */
    private static final class EventCounter {
        long events;

        static final class Matcher {
            int matched;
        }

        void count(Matcher m, byte[] bytes, int n) {
            int matched = m.matched;
            for (int i = 0; i < n; i++) {
                matched = bytes[i] == EVENT_START[matched] ? matched + 1 : (bytes[i] == EVENT_START[0] ? 1 : 0);
                if (matched == EVENT_START.length) {
                    events++;
                    matched = 0;
                }
            }
            m.matched = matched;
        }
    }
}
