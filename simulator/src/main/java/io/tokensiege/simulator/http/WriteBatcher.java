package io.tokensiege.simulator.http;

import io.vertx.core.Context;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Hands writes to each connection's event loop in batches: one event-loop task per loop per burst
 * instead of one per token. A decode step emits a token for every active sequence at once, so at
 * thousands of streams this is the difference between a few tasks and thousands per step.
 */
final class WriteBatcher {
    /** By event-loop thread: each request runs on its own duplicated context, so lanes by context would gain one per request. */
    private final Map<Thread, Lane> lanes = new ConcurrentHashMap<>();

    /** The lane of the calling event loop, whose {@code context} runs its writes; a stream looks it up once and keeps it. */
    Lane lane(Context context) {
        if (!Context.isOnEventLoopThread()) throw new IllegalStateException("a write lane is looked up on the connection's event loop");
        return lanes.computeIfAbsent(Thread.currentThread(), loop -> new Lane(context));
    }

    int laneCount() {
        return lanes.size();
    }

    static final class Lane {
        private final Context context;
        private final ConcurrentLinkedQueue<Runnable> pending = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean scheduled = new AtomicBoolean();

        private Lane(Context context) {
            this.context = context;
        }

        /** Runs {@code write} on the lane's event loop, after every write added before it. */
        void run(Runnable write) {
            pending.add(write);
            if (scheduled.compareAndSet(false, true)) context.runOnContext(v -> drain());
        }

        /** Runs until the queue is empty, so writes added meanwhile ride along instead of waking the loop again. */
        private void drain() {
            do {
                Runnable r;
                while ((r = pending.poll()) != null) r.run(); // FIFO: each connection's writes stay in order
                scheduled.set(false);
            } while (!pending.isEmpty() && scheduled.compareAndSet(false, true));
        }
    }
}
