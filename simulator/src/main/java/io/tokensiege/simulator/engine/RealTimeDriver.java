package io.tokensiege.simulator.engine;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs an {@link Engine} against the real clock on one dedicated thread, compressed by a speed
 * factor (speed 20 = simulated time runs 20x faster than real time). A thread with
 * {@link LockSupport#parkNanos} wakes within tens of microseconds, where an event-loop timer has
 * millisecond granularity — the token timing is the thing under test.
 */
public final class RealTimeDriver implements AutoCloseable {
    private final Engine engine;
    private final double speed;
    private final long epochNanos = System.nanoTime();
    private final ConcurrentLinkedQueue<Submission> inbox = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Long> cancellations = new ConcurrentLinkedQueue<>();
    private final Map<Long, EngineListener> listeners = new HashMap<>();
    private final Thread thread;
    private final AtomicLong iterations = new AtomicLong();
    private volatile boolean running = true;

    private record Submission(SimRequest request, EngineListener listener, long arrivedNanos) {}

    public RealTimeDriver(EngineConfig config, double speed, String name) {
        this(config, PromptTokenizer.DEFAULT, speed, name);
    }

    public RealTimeDriver(EngineConfig config, PromptTokenizer tokenizer, double speed, String name) {
        if (speed <= 0) throw new IllegalArgumentException("speed must be positive");
        this.speed = speed;
        this.engine = new Engine(config, tokenizer, new Dispatch());
        this.thread = new Thread(this::loop, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Hands a request to the engine; {@code listener} is called on the driver thread. */
    public void submit(SimRequest request, EngineListener listener) {
        inbox.add(new Submission(request, listener, System.nanoTime()));
        LockSupport.unpark(thread);
    }

    /** The client of {@code requestId} went away: the engine drops the sequence (thread-safe). */
    public void cancel(long requestId) {
        cancellations.add(requestId);
        LockSupport.unpark(thread);
    }

    public double speed() {
        return speed;
    }

    /** Engine iterations that did work so far (forward passes; llama.cpp's n_decode_total). Thread-safe. */
    public long iterations() {
        return iterations.get();
    }

    /** The {@link System#nanoTime()} instant at which simulated time reaches {@code simNanos}. */
    public long realNanosOf(long simNanos) {
        return epochNanos + (long) (simNanos / speed);
    }

    private long simNow(long realNanos) {
        return Math.round((realNanos - epochNanos) * speed);
    }

    private void loop() {
        while (running) {
            Submission s;
            while ((s = inbox.poll()) != null) {
                listeners.put(s.request.id(), s.listener);
                engine.submit(s.request, simNow(s.arrivedNanos));
            }
            Long gone;
            while ((gone = cancellations.poll()) != null) {
                engine.advanceTo(simNow(System.nanoTime()) - 1);
                EngineListener l = listeners.remove(gone);
                if (engine.cancel(gone) && l != null) l.onFinished(gone, simNow(System.nanoTime()));
            }
            engine.advanceTo(simNow(System.nanoTime()));
            long next = engine.nextEventNanos();
            if (next == Long.MAX_VALUE) {
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(100));
            } else {
                long wakeReal = realNanosOf(next);
                long wait = wakeReal - System.nanoTime();
                if (wait > 0) LockSupport.parkNanos(this, wait);
            }
        }
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
    }

    /** Routes engine callbacks to the listener of each request. */
    private final class Dispatch implements EngineListener {
        @Override
        public void onQueued(long id, long simNanos) {
            EngineListener l = listeners.get(id);
            if (l != null) l.onQueued(id, simNanos);
        }

        @Override
        public void onIterationCompleted(long simNanos) {
            iterations.incrementAndGet();
        }

        @Override
        public void onAdmitted(long id, long simNanos, int cachedTokens) {
            EngineListener l = listeners.get(id);
            if (l != null) l.onAdmitted(id, simNanos, cachedTokens);
        }

        @Override
        public void onPreempted(long id, long simNanos) {
            EngineListener l = listeners.get(id);
            if (l != null) l.onPreempted(id, simNanos);
        }

        @Override
        public void onResumed(long id, long simNanos) {
            EngineListener l = listeners.get(id);
            if (l != null) l.onResumed(id, simNanos);
        }

        @Override
        public void onToken(long id, int index, Channel channel, long simNanos) {
            EngineListener l = listeners.get(id);
            if (l != null) l.onToken(id, index, channel, simNanos);
        }

        @Override
        public void onFinished(long id, long simNanos) {
            EngineListener l = listeners.remove(id);
            if (l != null) l.onFinished(id, simNanos);
        }
    }
}
