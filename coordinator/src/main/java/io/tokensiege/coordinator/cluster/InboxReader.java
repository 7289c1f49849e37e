package io.tokensiege.coordinator.cluster;

import com.hazelcast.collection.IQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the coordinator's cluster queue on its own thread and hands each message, still sealed, to a handler, one at a
 * time. A message the handler cannot read is logged and dropped; the loop never stops on one.
 */
final class InboxReader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InboxReader.class);
    /** How long one poll waits, so that {@link #close()} is seen within it. */
    private static final long POLL_MILLIS = 500;

    private final IQueue<String> queue;
    private final Consumer<String> handler;
    private volatile boolean running = true;

    private InboxReader(IQueue<String> queue, Consumer<String> handler) {
        this.queue = queue;
        this.handler = handler;
    }

    /** Starts reading {@code queue} on a daemon thread named {@code threadName}. */
    static InboxReader start(IQueue<String> queue, Consumer<String> handler, String threadName) {
        InboxReader reader = new InboxReader(queue, handler);
        Thread t = new Thread(reader::read, threadName);
        t.setDaemon(true);
        t.start();
        return reader;
    }

    private void read() {
        while (running) {
            String wire;
            try {
                wire = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                continue; // the member is shutting down, or the thread was interrupted: the loop condition decides
            }
            if (wire == null) continue;
            try {
                handler.accept(wire);
            } catch (RuntimeException e) {
                log.warn("malformed message from a worker: {}", e.getMessage());
            }
        }
    }

    /** Stops the loop within one poll. */
    @Override
    public void close() {
        running = false;
    }
}
