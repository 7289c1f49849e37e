package io.tokensiege.worker.load;

import io.tokensiege.common.metric.RequestStamps;
import io.tokensiege.common.plan.ArrivalSchedule;
import io.tokensiege.common.protocol.StepSpec;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Arrivals at a rate: a dispatcher thread parks until each arrival's intended instant (anchor + cumulative
 * offset, so a late wake-up never shifts later arrivals) and hands the request to a lane. At the in-flight cap an
 * arrival waits for a free slot and keeps its intended time, so the wait shows in {@code ttft_intended} and the
 * schedule lag (coordinated omission corrected); the worker's own lateness past the intended time or the freed slot is
 * reported beside it ({@link StepRunner#sendingScheduled}). Arrivals go on, unmeasured, past the window until every measured
 * one was sent and ended; measured arrivals still unsent when the step must end are counted as not sent, never
 * silently dropped.
 */
final class OpenLoop implements LoadDriver {
    private final StepRunner runner;
    private final StepSpec step;
    private final Vertx vertx;
    private final List<Lane> lanes;
    private final int cap;
    private final int stream;
    private final double ratePerSecond;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger measuredInFlight = new AtomicInteger();
    private final AtomicInteger scheduledInWindow = new AtomicInteger();
    private final AtomicInteger notSentInWindow = new AtomicInteger();
    private volatile boolean stopping;
    private volatile boolean pastWindow;
    private volatile boolean dispatcherDone;
    private volatile long heldArrivalNanos = RequestStamps.NONE;
    private volatile long slotFreedNanos = RequestStamps.NONE;
    private volatile Thread dispatcher;

    /** {@code cap}: this worker's share of the in-flight cap; {@code ratePerSecond}: its share of the arrival rate, in wall time. */
    OpenLoop(StepRunner runner, StepSpec step, Vertx vertx, List<Lane> lanes, int cap, int stream, double ratePerSecond) {
        this.runner = runner;
        this.step = step;
        this.vertx = vertx;
        this.lanes = lanes;
        this.cap = cap;
        this.stream = stream;
        this.ratePerSecond = ratePerSecond;
    }

    @Override
    public void start() {
        StepSpec.OpenLoop open = step.openLoop();
        ArrivalSchedule schedule = new ArrivalSchedule(ratePerSecond, open.arrival(), open.burstiness(),
                ArrivalSchedule.seed(step.seed(), step.scenario(), open.ratePerSecond(), step.repeat(), stream));
        // Safety net: measured requests are bounded by their own timeouts; this ends whatever is left after them.
        vertx.setTimer(step.rampMillis() + step.durationMillis() + step.timeouts().totalMillis() + 1000, t -> runner.stopAndCancel());
        Thread d = new Thread(() -> dispatch(schedule, runner.startNanos()), "open-loop-" + step.stepId());
        d.setDaemon(true);
        dispatcher = d;
        d.start();
    }

    private void dispatch(ArrivalSchedule schedule, long anchorNanos) {
        MeasurementWindow window = runner.window();
        int seq = 0;
        long intended = anchorNanos + schedule.next();
        long previousReady = anchorNanos;
        while (!stopping) {
            long wait;
            while (!stopping && (wait = intended - System.nanoTime()) > 0) LockSupport.parkNanos(this, wait);
            // When it could have gone: not before its time, nor before the arrival ahead of it (held at the cap, that one kept
            // it waiting for the server); from then on, any wait is the worker's own.
            long ready = Math.max(intended, previousReady);
            if (inFlight.get() >= cap) {
                heldArrivalNanos = intended;
                while (!stopping && inFlight.get() >= cap) LockSupport.parkNanos(this, 1_000_000L); // woken when a slot frees
                heldArrivalNanos = RequestStamps.NONE;
                ready = Math.max(ready, slotFreedNanos);
            }
            previousReady = ready;
            if (stopping) break;
            boolean measured = window.contains(intended);
            if (measured) {
                scheduledInWindow.incrementAndGet();
                measuredInFlight.incrementAndGet();
            } else if (intended >= window.endNanos() && !pastWindow) {
                pastWindow = true;
                if (measuredInFlight.get() == 0) runner.stopAndCancel();
            }
            inFlight.incrementAndGet();
            Lane lane = lanes.get(seq % lanes.size());
            int s = seq++;
            long at = intended;
            long readyAt = ready;
            lane.context.runOnContext(v -> {
                if (measured) runner.sendingScheduled(readyAt);
                runner.issuer().issue(lane, stream, s, 0, measured, at);
            });
            intended = anchorNanos + schedule.next();
        }
        // Measured arrivals that were due but never sent (the step had to end first).
        for (; intended < window.endNanos(); intended = anchorNanos + schedule.next()) {
            if (window.contains(intended)) {
                scheduledInWindow.incrementAndGet();
                notSentInWindow.incrementAndGet();
            }
        }
        dispatcherDone = true;
        if (inFlight.get() == 0) runner.driverDone();
    }

    @Override
    public void ended(Lane lane, Exchange ex) {
        if (ex.measured && measuredInFlight.decrementAndGet() == 0 && pastWindow) runner.stopAndCancel();
        slotFreedNanos = System.nanoTime();
        inFlight.decrementAndGet();
        Thread d = dispatcher;
        if (d != null) LockSupport.unpark(d); // a slot is free
        if (inFlight.get() == 0 && dispatcherDone) runner.driverDone();
    }

    @Override
    public void stop() {
        stopping = true;
        Thread d = dispatcher;
        if (d != null) LockSupport.unpark(d);
    }

    /** The arrival held at the cap, and those the schedule has made due since (at its rate). */
    @Override
    public int queued() {
        long held = heldArrivalNanos;
        if (held == RequestStamps.NONE) return 0;
        return 1 + (int) Math.max(0, (System.nanoTime() - held) / 1e9 * ratePerSecond);
    }

    @Override
    public int scheduledInWindow() {
        return scheduledInWindow.get();
    }

    @Override
    public int notSentInWindow() {
        return notSentInWindow.get();
    }
}
