package io.tokensiege.common.protocol;

import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Reads a cluster queue on a daemon thread of its own and hands each message, still sealed, to a handler, one at a
 * time, until closed. The coordinator's inbox and each worker's share it. A message the handler throws on goes to
 * {@code refused} and the loop goes on: one bad message never stops a member from hearing the next.
 */
public final class InboxLoop implements AutoCloseable {
    /** How long one poll waits, so that {@link #close()} is seen within it. */
    static final long POLL_MILLIS = 500;

    /** A queue's timed poll (Hazelcast's {@code IQueue::poll} is one); {@code common} does not know Hazelcast. */
    @FunctionalInterface
    public interface Poll {
        String poll(long timeout, TimeUnit unit) throws Exception;
    }

    private final Poll queue;
    private final Consumer<String> handler;
    private final Consumer<RuntimeException> refused;
    private volatile boolean running = true;

    private InboxLoop(Poll queue, Consumer<String> handler, Consumer<RuntimeException> refused) {
        this.queue = queue;
        this.handler = handler;
        this.refused = refused;
    }

    /** Starts reading {@code queue} on a daemon thread named {@code threadName}. */
    public static InboxLoop start(String threadName, Poll queue, Consumer<String> handler, Consumer<RuntimeException> refused) {
        InboxLoop loop = new InboxLoop(queue, handler, refused);
        Thread t = new Thread(loop::read, threadName);
        t.setDaemon(true);
        t.start();
        return loop;
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
                refused.accept(e);
            }
        }
    }

    /** Stops the loop within one poll. */
    @Override
    public void close() {
        running = false;
    }
}
