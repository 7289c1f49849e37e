package io.tokensiege.worker.load;

import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.common.trace.Trace;
import io.tokensiege.common.trace.TraceRecord;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A trace at its own pace: a dispatcher thread parks until each record's intended instant (the step's start plus the
 * record's time over the real speed, every one from that one anchor, so a late wake-up never shifts later records)
 * and hands it to its unit's lane. A session's turn also waits for its previous turn to end (an agent cannot send turn
 * 2 before it has turn 1's answer), keeping its intended time: the wait shows in {@code ttft_intended} and the schedule
 * lag, coordinated omission corrected, as in {@link OpenLoop}. The window spans the trace, so every record is measured;
 * records still unsent when the step must end are counted as not sent, never silently dropped.
 */
final class TraceSchedule implements LoadDriver {
    /** A record due, waiting for its session's previous turn to end. */
    private record Held(int seq, TraceRecord record, long intendedNanos, boolean measured) {}

    /** A unit's state, touched only on its lane's event loop. */
    private static final class Unit {
        boolean busy;
        final ArrayDeque<Held> waiting = new ArrayDeque<>();
    }

    private final StepRunner runner;
    private final StepSpec step;
    private final Vertx vertx;
    private final List<Lane> lanes;
    private final List<TraceRecord> records;
    private final int[] unitOfRecord;
    private final Unit[] units;
    /** Records handed to a lane and not yet ended or dropped. */
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicInteger scheduledInWindow = new AtomicInteger();
    private final AtomicInteger notSentInWindow = new AtomicInteger();
    private volatile boolean stopping;
    private volatile boolean dispatcherDone;
    private volatile Thread dispatcher;

    TraceSchedule(StepRunner runner, StepSpec step, Vertx vertx, List<Lane> lanes, List<TraceRecord> records) {
        this.runner = runner;
        this.step = step;
        this.vertx = vertx;
        this.lanes = lanes;
        this.records = records;
        List<List<TraceRecord>> grouped = Trace.units(records);
        Map<TraceRecord, Integer> unitOf = new IdentityHashMap<>();
        for (int u = 0; u < grouped.size(); u++) for (TraceRecord r : grouped.get(u)) unitOf.put(r, u);
        this.unitOfRecord = records.stream().mapToInt(unitOf::get).toArray();
        this.units = new Unit[grouped.size()];
        for (int u = 0; u < units.length; u++) units[u] = new Unit();
    }

    @Override
    public void start() {
        // Safety net: requests are bounded by their own timeouts; this ends whatever is left after them.
        vertx.setTimer(step.rampMillis() + step.durationMillis() + step.timeouts().totalMillis() + 1000, t -> runner.stopAndCancel());
        Thread d = new Thread(() -> dispatch(runner.startNanos()), "trace-replay-" + step.stepId());
        d.setDaemon(true);
        dispatcher = d;
        d.start();
    }

    private long intendedNanos(long anchorNanos, TraceRecord r) {
        return anchorNanos + Math.round(r.atMicros() * 1000.0 / step.replay().realSpeed());
    }

    private void dispatch(long anchorNanos) {
        MeasurementWindow window = runner.window();
        int i = 0;
        for (; i < records.size() && !stopping; i++) {
            TraceRecord r = records.get(i);
            long intended = intendedNanos(anchorNanos, r);
            long wait;
            while (!stopping && (wait = intended - System.nanoTime()) > 0) LockSupport.parkNanos(this, wait);
            if (stopping) break;
            boolean measured = window.contains(intended);
            if (measured) scheduledInWindow.incrementAndGet();
            pending.incrementAndGet();
            int u = unitOfRecord[i];
            Lane lane = lanes.get(u % lanes.size());
            Held held = new Held(i, r, intended, measured);
            lane.context.runOnContext(v -> arrive(lane, u, held));
        }
        for (; i < records.size(); i++) { // never sent: the step had to end first
            if (window.contains(intendedNanos(anchorNanos, records.get(i)))) {
                scheduledInWindow.incrementAndGet();
                notSentInWindow.incrementAndGet();
            }
        }
        dispatcherDone = true;
        if (pending.get() == 0) runner.driverDone();
    }

    /** A record is due on its unit's lane: sent now, or after its session's previous turn. */
    private void arrive(Lane lane, int u, Held held) {
        Unit unit = units[u];
        if (stopping) {
            drop(1, held.measured() ? 1 : 0);
            return;
        }
        if (unit.busy) unit.waiting.add(held);
        else send(lane, u, held, held.intendedNanos());
    }

    /** {@code readyNanos}: when the record could have gone (its intended time, or its session's previous turn's end). */
    private void send(Lane lane, int u, Held held, long readyNanos) {
        if (held.measured()) runner.sendingScheduled(readyNanos);
        units[u].busy = true;
        runner.issuer().issue(lane, u, held.seq(), u, held.record(), held.measured(), held.intendedNanos()); // its unit as its stream: ended() finds the unit by it
    }

    @Override
    public void ended(Lane lane, Exchange ex) {
        Unit unit = units[ex.stream];
        unit.busy = false;
        pending.decrementAndGet();
        if (stopping) {
            int measured = (int) unit.waiting.stream().filter(Held::measured).count();
            int n = unit.waiting.size();
            unit.waiting.clear();
            drop(n, measured);
        } else if (!unit.waiting.isEmpty()) {
            send(lane, ex.stream, unit.waiting.poll(), System.nanoTime()); // due already: it could go the moment its turn came
        }
        if (pending.get() == 0 && dispatcherDone) runner.driverDone();
    }

    /** Records handed over but never sent: the step is ending. */
    private void drop(int n, int measured) {
        notSentInWindow.addAndGet(measured);
        if (n > 0 && pending.addAndGet(-n) == 0 && dispatcherDone) runner.driverDone();
    }

    @Override
    public void stop() {
        stopping = true;
        Thread d = dispatcher;
        if (d != null) LockSupport.unpark(d);
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
