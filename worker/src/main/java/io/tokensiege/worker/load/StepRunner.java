package io.tokensiege.worker.load;

import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.protocol.AssignStep;
import io.tokensiege.common.protocol.EpochMicros;
import io.tokensiege.common.protocol.StepFinished;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.common.protocol.StepTotals;
import io.tokensiege.common.protocol.ToCoordinator;
import io.tokensiege.common.protocol.WorkerReady;
import io.tokensiege.common.security.Redactor;
import io.tokensiege.common.trace.TraceRecord;
import io.tokensiege.worker.record.RecordLog;
import io.tokensiege.worker.record.StepRecorder;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one worker's share of a step: prepares lanes and warm connections, starts at the absolute instant, lets
 * its {@link LoadDriver} issue the requests (through {@link RequestIssuer}), sends an interval snapshot every second ({@link SnapshotSender}), and reports totals and
 * records when done. Every request ends on one path ({@link #exchangeEnded}) that folds it into the
 * {@link MeasurementWindow} and the recorder, appends its record to the step's {@link RecordLog} on disk, and drops
 * it: the heap holds no finished request.
 *
 * <p>Threading: a lane's state (its in-flight list, its streams) changes only on its own event loop; what other
 * threads read (counters for the snapshot, the window's sums) is atomic.
 */
public final class StepRunner {
    private static final Logger log = LoggerFactory.getLogger(StepRunner.class);
    private static final long SWEEP_MILLIS = 50;
    /** An open loop's arrivals are spread over lanes; a handful of warm connections per lane serve its first ones. */
    private static final int OPEN_LOOP_WARM_PER_LANE = 16;

    private final Vertx vertx;
    private final AssignStep assign;
    private final StepSpec step;
    private final Consumer<ToCoordinator> send;
    private final StepRecorder recorder = new StepRecorder();
    private final RequestIssuer issuer;
    private final ConnectionHabits habits;
    private final List<Lane> lanes = new ArrayList<>();
    private final RecordLog records;
    private final EpochClock clock = new EpochClock();
    private final AtomicBoolean done = new AtomicBoolean();
    private final FailureFlood flood = new FailureFlood();
    /** Claimed once, by {@link #start} or by an abort that comes first. */
    private final AtomicBoolean launched = new AtomicBoolean();
    private final Promise<StepFinished> result = Promise.promise();
    private final LoadDriver driver;
    private volatile MeasurementWindow window = MeasurementWindow.untimed(true);
    private volatile boolean aborted;
    private volatile long startNanos;
    private long startInstantMicros;
    /** Null until the share begins: one aborted before its instant never did, and a 0 would read as a perfect start. */
    private Long startLateMicros;
    private Long startCoreWaitMicros;
    private HealthProbe health;
    private volatile Thread starter;
    private final SnapshotSender snapshots;

    public StepRunner(Vertx vertx, AssignStep assign, String apiKey, Consumer<ToCoordinator> send) {
        this(vertx, assign, apiKey, send, null, null);
    }

    /**
     * @param trace   this worker's records of a step that replays a trace (in trace order), else null
     * @param dataDir where the step's request records are kept ({@code DATA/<run>/<step>.requests.jsonl}); null: a temporary file
     */
    public StepRunner(Vertx vertx, AssignStep assign, String apiKey, Consumer<ToCoordinator> send, List<TraceRecord> trace, Path dataDir) {
        this.vertx = vertx;
        this.assign = assign;
        this.step = assign.step();
        this.send = send;
        RequestFactory requests = new RequestFactory(step, assign.workerId(), apiKey);
        var setting = new ExchangeSetting(step.stepId(), assign.workerId(), step.timeouts(), step.limits(), Redactor.of(apiKey), clock,
                ExchangeSetting.tokenBound(step.target().extraBody()));
        this.issuer = new RequestIssuer(step, requests, setting, () -> window, this::exchangeEnded);
        this.habits = new ConnectionHabits(step.facts().connectionPerRequest());
        this.records = RecordLog.open(dataDir, assign.runId(), assign.stepId());
        int laneCount = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), assign.streams()));
        // Only a backstop behind the sweeper's own timeouts: a request may rightly hear nothing after its headers for as
        // long as the first-token timeout (a server that sends headers at once, then queues the prompt), so it must not
        // be cut sooner than that (it was, and such requests were counted empty).
        long silentMillis = Math.max(step.timeouts().idleMillis(), step.timeouts().firstTokenMillis());
        long idleSeconds = (silentMillis + 999) / 1000 + 5;
        List<io.netty.channel.EventLoop> loops = Lane.eventLoops(vertx);
        for (int i = 0; i < laneCount; i++) {
            lanes.add(new Lane(vertx, loops.get(i % loops.size()), idleSeconds, requests.connectOptions(), habits, recorder.newLane()));
        }
        for (int s = 0; s < assign.streams(); s++) lanes.get(s % laneCount).streams.add(assign.firstStream() + s);
        if (step.replay() != null && trace == null) throw new IllegalArgumentException("step " + step.stepId() + " replays a trace but got no records");
        this.driver = switch (step.kind()) {
            case OPEN -> step.replay() != null ? new TraceSchedule(this, step, vertx, lanes, trace) : new OpenLoop(this, step, vertx, lanes, assign.streams(), assign.firstStream(),
                    step.openLoop().realRatePerSecond() * assign.streams() / step.concurrency());
            case SESSIONS -> new SessionLoop(this, step, vertx, lanes, assign.workerId());
            default -> new ClosedLoop(this, step, vertx, lanes, step.replay() == null ? null : new TraceFeed(trace, step.replay().cycle()));
        };
        this.snapshots = new SnapshotSender(vertx, assign, recorder, lanes, driver, send);
    }

    /**
     * Opens a connection per stream ahead of the start (an open loop: a handful per lane), so no measured request
     * pays for a connection it would not have needed; then reports ready. A server known to close after each
     * response gets none: there, every request's connect time is real.
     */
    public Future<Void> prepare() {
        List<Future<?>> warm = new ArrayList<>();
        for (Lane lane : lanes) {
            int n = step.kind() == StepKind.OPEN ? Math.min(OPEN_LOOP_WARM_PER_LANE, lane.streams.size()) : lane.streams.size();
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
        if (!launched.compareAndSet(false, true)) return result.future(); // aborted before its start: it has finished already
        this.startInstantMicros = startEpochMicros;
        // A parked thread wakes within tens of µs of the instant; an event-loop timer has ms granularity and queues
        // behind other work, and the start skew across workers is what is at stake.
        // The run-queue delay is read before the last park: what it grew by up to the start is the host keeping this
        // thread from a core after its wake-up, the part of the lateness that is the machine's (start_core_wait_ms).
        Thread starter = new Thread(() -> {
            long wait;
            long queuedBefore = RunQueueDelay.nanos();
            while (!aborted && (wait = startEpochMicros - EpochMicros.now()) > 0) { // an abort wakes it (unpark)
                queuedBefore = RunQueueDelay.nanos();
                LockSupport.parkNanos(wait * 1000);
            }
            run(queuedBefore);
        }, "start-" + step.stepId());
        starter.setDaemon(true);
        this.starter = starter;
        starter.start();
        return result.future();
    }

    /**
     * Stops issuing and cancels what is in flight. A share aborted before its start instant ends at once, having sent
     * nothing, with an empty window: its lanes (HTTP client, warm connections, record file) must not outlive it, and
     * before, one aborted ahead of its start message never finished at all.
     */
    public void abort(String reason) {
        log.info("step {} aborted: {}", step.stepId(), reason);
        aborted = true;
        if (launched.compareAndSet(false, true)) {
            startNanos = System.nanoTime(); // an empty window, here
            finish();
            return;
        }
        stopAndCancel();
        Thread waiting = starter;
        if (waiting != null) LockSupport.unpark(waiting); // parked until the instant: it ends the share now
    }

    private void run(long queuedBefore) {
        startNanos = System.nanoTime(); // first: the start skew is about this instant, not about setting up the probe
        if (aborted) { // before the instant: the driver is stopped and nothing was sent; no start lateness to report either
            finish();
            return;
        }
        startCoreWaitMicros = RunQueueDelay.microsBetween(queuedBefore, RunQueueDelay.nanos());
        startLateMicros = clock.epochMicros(startNanos) - startInstantMicros;
        // Agent sessions are measured from their start: each begins with a cold turn, part of what agents cost (their
        // ramp only staggers the starts). Left out, a level whose cold turns outlast the ramp would have no turn 1 at all.
        if (!step.isTimed()) window = MeasurementWindow.untimed(step.kind() == StepKind.WARMUP);
        else if (step.kind() == StepKind.SESSIONS) window = MeasurementWindow.timed(startNanos, 0, step.rampMillis() + step.durationMillis());
        else window = MeasurementWindow.timed(startNanos, step.rampMillis(), step.durationMillis());
        health = new HealthProbe(vertx, lanes, step.kind() == StepKind.OPEN);
        snapshots.start();
        // A sweeper set after the step finished (its lane's loop was busy) cancels itself: finish() cancels only those it sees.
        for (Lane lane : lanes) lane.context.runOnContext(v -> lane.sweeper = vertx.setPeriodic(SWEEP_MILLIS, t -> {
            if (done.get()) vertx.cancelTimer(t);
            else sweep(lane);
        }));
        driver.start();
    }

    MeasurementWindow window() {
        return window;
    }

    long startNanos() {
        return startNanos;
    }

    /** A scheduled driver hands a measured arrival to the issuer now; it could have gone at {@code readyNanos}. */
    void sendingScheduled(long readyNanos) {
        health.sent(readyNanos);
    }

    /** Where the drivers send their requests from. */
    RequestIssuer issuer() {
        return issuer;
    }

    /** The one path every request ends on, on its lane's event loop: accounted, recorded, dropped. */
    private void exchangeEnded(Lane lane, Exchange ex) {
        lane.inFlight.remove(ex);
        RequestRecord r = ex.record();
        window.account(ex, r);
        records.append(r); // warm-ups too, unmeasured: their usage sizes prompts for servers without a tokenizer
        if (!r.origin().isProbe()) lane.recorder.anyRequestEnded(r);
        if (ex.measured && !r.outcome().cancelled() && !r.origin().isProbe()) lane.recorder.requestEnded(r);
        driver.ended(lane, ex);
        if (flood.tripsOn(r)) {
            log.warn("step {}: the first {} requests all failed ({}); stopping this share", step.stepId(), FailureFlood.REQUESTS, r.outcome().error());
            stopAndCancel();
        }
    }

    /** Issue nothing more and cancel what is in flight (the window's fillers, or everything on an abort). */
    void stopAndCancel() {
        driver.stop();
        for (Lane lane : lanes) lane.context.runOnContext(v -> new ArrayList<>(lane.inFlight).forEach(Exchange::cancel));
    }

    /** The driver has nothing in flight and nothing more to send. */
    void driverDone() {
        finish();
    }

    private void sweep(Lane lane) {
        long now = System.nanoTime();
        for (Exchange ex : new ArrayList<>(lane.inFlight)) ex.checkTimeouts(now);
    }

    private void finish() {
        if (!done.compareAndSet(false, true)) return;
        for (Lane lane : lanes) if (lane.sweeper >= 0) vertx.cancelTimer(lane.sweeper);
        snapshots.finish();
        StepTotals totals = totals();
        lanes.forEach(Lane::close);
        log.debug("step {} share done: {} requests, {} errors", step.stepId(), totals.completed(), totals.errorsByClass());
        // Reading the records back is disk work: off the event loops. Chunks first, then the message that counts them.
        vertx.executeBlocking(() -> sendRecordsAndTotals(totals)).onComplete(ar -> {
            if (ar.succeeded()) result.tryComplete(ar.result());
            else result.tryFail(ar.cause());
        });
    }

    private StepFinished sendRecordsAndTotals(StepTotals totals) {
        int chunks = records.sendChunks(assign.runId(), assign.stepId(), assign.workerId(), send::accept);
        records.failureReport(assign.runId(), assign.stepId(), assign.workerId()).ifPresent(send);
        StepFinished msg = new StepFinished(assign.runId(), assign.stepId(), assign.workerId(), totals, List.of(), aborted, chunks);
        send.accept(msg);
        return msg;
    }

    private StepTotals totals() {
        MeasurementWindow w = window;
        long from = w.fromNanos(startNanos);
        return new StepTotals(clock.epochMicros(from), w.lengthNanos(startNanos) / 1000, w.tokens(), w.completedInside(), issuer.started(),
                recorder.completed(), recorder.errorsByClass(), w.cancelledMeasured(), recorder.encodedTotals(), recorder.clampedValues(),
                driver.scheduledInWindow(), driver.notSentInWindow(), startLateMicros, startCoreWaitMicros, health == null ? StepTotals.WorkerHealth.UNKNOWN : health.stop(),
                habits.snapshot(), w.decodingNanos() / 1000, flood.stoppedAfter());
    }
}
