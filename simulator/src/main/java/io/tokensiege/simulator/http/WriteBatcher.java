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
    private final Map<Context, Lane> lanes = new ConcurrentHashMap<>();

    void run(Context context, Runnable write) {
        lanes.computeIfAbsent(context, Lane::new).add(write);
    }

    private static final class Lane {
        private final Context context;
        private final ConcurrentLinkedQueue<Runnable> pending = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean scheduled = new AtomicBoolean();

        Lane(Context context) {
            this.context = context;
        }

        void add(Runnable write) {
            pending.add(write);
            if (scheduled.compareAndSet(false, true)) context.runOnContext(v -> drain());
        }

        private void drain() {
            scheduled.set(false);
            Runnable r;
            while ((r = pending.poll()) != null) r.run(); // FIFO: each connection's writes stay in order
        }
    }
}
