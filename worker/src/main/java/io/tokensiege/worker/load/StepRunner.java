package io.tokensiege.worker.load;

import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.metric.RequestStamps;
import io.tokensiege.common.plan.ArrivalSchedule;
import io.tokensiege.common.protocol.AssignStep;
import io.tokensiege.common.protocol.EpochMicros;
import io.tokensiege.common.protocol.IntervalSnapshot;
import io.tokensiege.common.protocol.StepFinished;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.common.protocol.StepTotals;
import io.tokensiege.common.protocol.ToCoordinator;
import io.tokensiege.common.protocol.WorkerReady;
import io.tokensiege.common.security.Redactor;
import io.tokensiege.worker.record.StepRecorder;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one worker's share of a step: prepares lanes and warm connections, starts at the absolute
 * instant, keeps its streams busy (closed loop) or runs a sequence (sequential, turns, warm-up),
 * sends an interval snapshot every second, and reports totals and records when done.
 *
 * <p>Measurement window: a timed step measures requests sent in [start + ramp, start + ramp +
 * duration) and counts tokens whose events arrive inside it. Measured requests still in flight at its
 * end run to completion (their queueing is the measurement) while the streams keep the concurrency up
 * with unmeasured fillers; then the fillers are cancelled. Anything open after the total timeout is
 * cancelled and, if measured, counted as such. Untimed steps measure every request; their window runs from first send to last end.
 */
public final class StepRunner {
    private static final Logger log = LoggerFactory.getLogger(StepRunner.class);
    private static final long SNAPSHOT_MILLIS = 1000;
    private static final int WARM_CONCURRENCY = 64;

    private final Vertx vertx;
    private final AssignStep assign;
    private final StepSpec step;
    private final Consumer<ToCoordinator> send;
    private final StepRecorder recorder = new StepRecorder();
    private final RequestFactory requests;
    private final Redactor redactor;
    private final ConnectionHabits habits;
    private final List<Lane> lanes = new ArrayList<>();
    private final List<RequestRecord> records = Collections.synchronizedList(new ArrayList<>());
    private final List<Exchange> finished = Collections.synchronizedList(new ArrayList<>());
    private final EpochClock clock = new EpochClock();
    private final AtomicInteger started = new AtomicInteger();
    private final AtomicInteger activeStreams = new AtomicInteger();
    private final AtomicBoolean done = new AtomicBoolean();
    private final Promise<StepFinished> result = Promise.promise();
    private volatile boolean stopIssuing;
    private volatile boolean windowClosed;
    private final AtomicInteger measuredInFlight = new AtomicInteger();
    private final AtomicInteger openInFlight = new AtomicInteger();
    private final AtomicInteger scheduledInWindow = new AtomicInteger();
    private final AtomicInteger notSentInWindow = new AtomicInteger();
    /** Open loop: the intended time of the arrival held at the in-flight cap, or NONE; and this worker's arrival rate. */
    private volatile long heldArrivalNanos = RequestStamps.NONE;
    private volatile double myRatePerSecond;
    private volatile boolean dispatcherDone;
    private volatile boolean pastWindow;
    private long startInstantMicros;
    private long startLateMicros;
    private HealthProbe health;
    private volatile Thread dispatcher;
    private volatile boolean aborted;
    private long startNanos;
    private long windowStartNanos;
    private long windowEndNanos;
    private long snapshotTimer = -1;
    private long lastSnapshotEpochMillis;

    public StepRunner(Vertx vertx, AssignStep assign, String apiKey, Consumer<ToCoordinator> send) {
        this.vertx = vertx;
        this.assign = assign;
        this.step = assign.step();
        this.send = send;
        this.requests = new RequestFactory(step, assign.workerId(), apiKey);
        this.redactor = Redactor.of(apiKey);
        this.habits = new ConnectionHabits(step.facts().connectionPerRequest());
        int laneCount = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), assign.streams()));
        long idleSeconds = (step.timeouts().idleMillis() + 999) / 1000 + 5;
        for (int i = 0; i < laneCount; i++) lanes.add(new Lane(vertx, idleSeconds, requests.connectOptions(), habits));
        for (int s = 0; s < assign.streams(); s++) lanes.get(s % laneCount).streams.add(assign.firstStream() + s);
    }

    /**
     * Opens a connection per stream ahead of the start (an open loop: a handful per lane), so no measured request
     * pays for a connection it would not have needed; then reports ready. A server known to close after each
     * response gets none: there, every request's connect time is real.
     */
    public Future<Void> prepare() {
        List<Future<?>> warm = new ArrayList<>();
        for (Lane lane : lanes) {
            int n = step.kind() == StepKind.OPEN ? Math.min(16, lane.streams.size()) : lane.streams.size();
            Promise<Void> p = Promise.promise();
            lane.context.runOnContext(v -> lane.connections.prewarm(n).onComplete(ar -> p.tryComplete()));
            warm.add(p.future());
        }
        return Future.join(warm).otherwiseEmpty().map(v -> {
            send.accept(new WorkerReady(assign.runId(), assign.stepId(), assign.workerId()));
            return null;
        });
    }

    /** Starts at {@code startEpochMicros} (this JVM's wall clock); completes with the finished message. */
    public Future<StepFinished> start(long startEpochMicros) {
        this.startInstantMicros = startEpochMicros;
        // A parked thread wakes within tens of µs of the instant; an event-loop timer has ms granularity and queues
        // behind other work, and the start skew across workers is what is at stake.
        Thread starter = new Thread(() -> {
            long wait;
            while ((wait = startEpochMicros - EpochMicros.now()) > 0) LockSupport.parkNanos(wait * 1000);
            run();
        }, "start-" + step.stepId());
        starter.setDaemon(true);
        starter.start();
        return result.future();
    }

    public void abort(String reason) {
        log.info("step {} aborted: {}", step.stepId(), reason);
        aborted = true;
        stopIssuing = true;
        if (dispatcher != null) LockSupport.unpark(dispatcher);
        cancelInFlight();
    }

    private void run() {
        startNanos = System.nanoTime(); // first: the start skew is about this instant, not about setting up the probe
        startLateMicros = clock.epochMicros(startNanos) - startInstantMicros;
        health = new HealthProbe(vertx, lanes);
        lastSnapshotEpochMillis = System.currentTimeMillis();
        if (step.isTimed()) {
            windowStartNanos = startNanos + step.rampMillis() * 1_000_000L;
            windowEndNanos = windowStartNanos + step.durationMillis() * 1_000_000L;
        }
        if (step.kind() == StepKind.CLOSED && step.isTimed()) {
            long issueMillis = step.rampMillis() + step.durationMillis();
            vertx.setTimer(Math.max(1, issueMillis), t -> {
                windowClosed = true;
                if (measuredInFlight.get() == 0) stopAndCancelFillers();
                // Safety net: measured requests are bounded by their own timeouts; this ends anything left.
                vertx.setTimer(step.timeouts().totalMillis() + 1000, t2 -> stopAndCancelFillers());
            });
        }
        snapshotTimer = vertx.setPeriodic(SNAPSHOT_MILLIS, t -> sendSnapshot());
        if (step.kind() == StepKind.OPEN) {
            runOpen();
            return;
        }
        activeStreams.set(assign.streams());
        for (Lane lane : lanes) {
            if (lane.streams.isEmpty()) continue;
            lane.context.runOnContext(v -> {
                lane.activeStreams = lane.streams.size();
                lane.sweeper = vertx.setPeriodic(50, t -> lane.context.runOnContext(x -> sweep(lane)));
                for (int s : List.copyOf(lane.streams)) next(lane, s, 0);
            });
        }
        if (assign.streams() == 0) finish();
    }

    /**
     * Open loop: a dispatcher thread parks until each arrival's intended instant (anchor + cumulative
     * offset, so a late wake-up never shifts later arrivals) and hands the request to a lane. At the
     * in-flight cap an arrival waits for a free slot and keeps its intended time, so the wait shows in
     * {@code ttft_intended} and the schedule lag (coordinated omission corrected). Arrivals go on,
     * unmeasured, past the window until every measured one was sent and ended; measured arrivals still
     * unsent when the step must end are counted as not sent — never silently dropped.
     */
    private void runOpen() {
        StepSpec.OpenLoop open = step.openLoop();
        double myRate = open.realRatePerSecond() * assign.streams() / step.concurrency();
        myRatePerSecond = myRate;
        ArrivalSchedule schedule = new ArrivalSchedule(myRate, open.arrival(), open.burstiness(), step.seed() * 31 + assign.firstStream());
        // Safety net: measured requests are bounded by their own timeouts; this ends whatever is left after them.
        vertx.setTimer(step.rampMillis() + step.durationMillis() + step.timeouts().totalMillis() + 1000, t -> stopAndCancelFillers());
        for (Lane lane : lanes) lane.context.runOnContext(v -> lane.sweeper = vertx.setPeriodic(50, t -> sweep(lane)));
        dispatcher = new Thread(() -> dispatch(schedule), "open-loop-" + step.stepId());
        dispatcher.setDaemon(true);
        dispatcher.start();
    }

    private void dispatch(ArrivalSchedule schedule) {
        int seq = 0;
        long intended = startNanos + schedule.next();
        while (!stopIssuing) {
            long wait;
            while (!stopIssuing && (wait = intended - System.nanoTime()) > 0) LockSupport.parkNanos(this, wait);
            if (openInFlight.get() >= assign.streams()) {
                heldArrivalNanos = intended;
                while (!stopIssuing && openInFlight.get() >= assign.streams()) LockSupport.parkNanos(this, 1_000_000L); // woken when a slot frees
                heldArrivalNanos = RequestStamps.NONE;
            }
            if (stopIssuing) break;
            boolean measured = intended >= windowStartNanos && intended < windowEndNanos;
            if (measured) {
                scheduledInWindow.incrementAndGet();
                measuredInFlight.incrementAndGet();
            } else if (intended >= windowEndNanos && !pastWindow) {
                pastWindow = true;
                if (measuredInFlight.get() == 0) stopAndCancelFillers();
            }
            openInFlight.incrementAndGet();
            Lane lane = lanes.get(seq % lanes.size());
            int s = seq++;
            long at = intended;
            lane.context.runOnContext(v -> issueOpen(lane, s, at, measured));
            intended = startNanos + schedule.next();
        }
        // Measured arrivals that were due but never sent (the step had to end first).
        for (; intended < windowEndNanos; intended = startNanos + schedule.next()) {
            if (intended >= windowStartNanos) {
                scheduledInWindow.incrementAndGet();
                notSentInWindow.incrementAndGet();
            }
        }
        dispatcherDone = true;
        if (openInFlight.get() == 0) finish();
    }

    private void issueOpen(Lane lane, int seq, long intendedNanos, boolean measured) {
        started.incrementAndGet();
        Exchange ex = new Exchange(step.stepId(), assign.workerId(), assign.firstStream(), seq, 0, measured, intendedNanos, step.timeouts(),
                step.limits(), recorder, redactor, clock, e -> endedOpen(lane, e));
        ex.stamps.maxTokens = requests.maxTokens();
        lane.inFlight.add(ex);
        ex.start(lane.connections, requests.options(), requests.body(assign.firstStream(), seq));
    }

    private void endedOpen(Lane lane, Exchange ex) {
        lane.inFlight.remove(ex);
        finished.add(ex);
        RequestRecord r = ex.record();
        records.add(r);
        if (ex.measured && !r.cancelled()) recorder.requestEnded(r);
        if (ex.measured && measuredInFlight.decrementAndGet() == 0 && pastWindow) stopAndCancelFillers();
        openInFlight.decrementAndGet();
        Thread d = dispatcher;
        if (d != null) LockSupport.unpark(d); // a slot is free
        if (openInFlight.get() == 0 && dispatcherDone) finish();
    }

    /** Issues request {@code seq} of stream {@code stream}, or ends the stream. Runs on the lane's loop. */
    private void next(Lane lane, int stream, int seq) {
        if (stopIssuing || (!step.isTimed() && seq >= step.requests())) {
            streamEnded(lane);
            return;
        }
        long now = System.nanoTime();
        boolean measured = step.kind() != StepKind.WARMUP && (!step.isTimed() || (!windowClosed && now >= windowStartNanos && now < windowEndNanos));
        if (measured) measuredInFlight.incrementAndGet();
        started.incrementAndGet();
        Exchange ex = new Exchange(step.stepId(), assign.workerId(), stream, seq, step.kind() == StepKind.TURNS ? seq + 1 : 0,
                measured, RequestStamps.NONE, step.timeouts(), step.limits(), recorder, redactor, clock, e -> ended(lane, e));
        ex.stamps.maxTokens = requests.maxTokens();
        lane.inFlight.add(ex);
        Buffer body = requests.body(stream, seq);
        ex.start(lane.connections, requests.options(), body);
    }

    private void ended(Lane lane, Exchange ex) {
        lane.inFlight.remove(ex);
        finished.add(ex);
        RequestRecord r = ex.record();
        records.add(r); // warm-ups too, unmeasured: their usage sizes prompts for servers without a tokenizer
        if (ex.measured && !r.cancelled()) recorder.requestEnded(r);
        if (ex.measured && measuredInFlight.decrementAndGet() == 0 && windowClosed) stopAndCancelFillers();
        if (aborted) {
            streamEnded(lane);
            return;
        }
        int nextSeq = ex.seq + 1;
        if (step.thinkMillis() > 0 && !stopIssuing) {
            vertx.setTimer(step.thinkMillis(), t -> lane.context.runOnContext(v -> next(lane, ex.stream, nextSeq)));
        } else {
            next(lane, ex.stream, nextSeq);
        }
    }

    private void streamEnded(Lane lane) {
        if (--lane.activeStreams == 0) vertx.cancelTimer(lane.sweeper);
        if (activeStreams.decrementAndGet() == 0) finish();
    }

    private void sweep(Lane lane) {
        long now = System.nanoTime();
        for (Exchange ex : new ArrayList<>(lane.inFlight)) ex.checkTimeouts(now);
    }

    /**
     * After the window, streams keep the load at full concurrency with unmeasured requests until the last
     * measured one ends — otherwise the last measured requests would decode with less competition than
     * the level claims. Then the fillers are cancelled.
     */
    private void stopAndCancelFillers() {
        stopIssuing = true;
        if (dispatcher != null) LockSupport.unpark(dispatcher);
        cancelInFlight();
    }

    private void cancelInFlight() {
        for (Lane lane : lanes) lane.context.runOnContext(v -> new ArrayList<>(lane.inFlight).forEach(Exchange::cancel));
    }

    private void sendSnapshot() {
        StepRecorder.Interval iv = recorder.takeInterval();
        long now = System.currentTimeMillis();
        int inFlight = 0;
        int awaiting = 0;
        for (Lane lane : lanes) {
            // Read across threads without a lock: a live count may be off by a request that ends meanwhile.
            for (Exchange e : List.copyOf(lane.inFlight)) {
                inFlight++;
                if (e.awaitingFirstToken()) awaiting++;
            }
        }
        int queued = queuedAtCap();
        send.accept(new IntervalSnapshot(assign.runId(), assign.stepId(), assign.workerId(), lastSnapshotEpochMillis, now,
                iv.histograms(), iv.tokenEvents(), iv.completed(), iv.errors(), inFlight, iv.firstTokenTtfts(), awaiting, queued));
        lastSnapshotEpochMillis = now;
    }

    /** Arrivals due but not sent for the in-flight cap: the one held, and those the schedule has made due since (at its rate). */
    private int queuedAtCap() {
        long held = heldArrivalNanos;
        if (held == RequestStamps.NONE) return 0;
        return 1 + (int) Math.max(0, (System.nanoTime() - held) / 1e9 * myRatePerSecond);
    }

    private void finish() {
        if (!done.compareAndSet(false, true)) return;
        if (snapshotTimer >= 0) vertx.cancelTimer(snapshotTimer);
        for (Lane lane : lanes) if (lane.sweeper >= 0) vertx.cancelTimer(lane.sweeper);
        sendSnapshot();
        StepTotals totals = totals();
        StepFinished msg = new StepFinished(assign.runId(), assign.stepId(), assign.workerId(), totals, new ArrayList<>(records), aborted);
        lanes.forEach(Lane::close);
        log.debug("step {} share done: {} requests, {} errors", step.stepId(), totals.completed(), totals.errorsByClass());
        send.accept(msg);
        result.tryComplete(msg);
    }

    private StepTotals totals() {
        List<Exchange> all = new ArrayList<>(finished);
        long from;
        long to;
        if (step.isTimed()) {
            from = windowStartNanos;
            to = windowEndNanos;
        } else {
            from = all.stream().mapToLong(e -> e.stamps.sendNanos).filter(n -> n != Long.MIN_VALUE).min().orElse(startNanos);
            to = all.stream().mapToLong(e -> e.stamps.endNanos).max().orElse(from) + 1;
        }
        double tokens = 0;
        long decodingNanos = 0;
        int completedInWindow = 0;
        int cancelled = 0;
        for (Exchange e : all) {
            RequestRecord r = e.record();
            if (r.cancelled() && e.measured) cancelled++;
            if (step.kind() == StepKind.WARMUP) continue;
            int events = e.eventNanos.size();
            if (events > 0) {
                double weight = r.usageCompletionTokens() != null ? (double) r.usageCompletionTokens() / events : 1.0;
                tokens += weight * e.eventNanos.countIn(from, to);
                decodingNanos += Math.max(0, Math.min(e.stamps.lastNanos, to) - Math.max(e.stamps.firstNanos, from));
            }
            if (!r.cancelled() && e.stamps.endNanos >= from && e.stamps.endNanos < to) completedInWindow++;
        }
        return new StepTotals(clock.epochMicros(from), (to - from) / 1000, tokens, completedInWindow, started.get(), recorder.completed(),
                recorder.errorsByClass(), cancelled, recorder.encodedTotals(), recorder.clampedValues(), scheduledInWindow.get(), notSentInWindow.get(),
                startLateMicros, health == null ? StepTotals.WorkerHealth.UNKNOWN : health.stop(), habits.snapshot(),
                decodingNanos / 1000);
    }
}
