package io.tokensiege.worker.load;

import io.tokensiege.common.metric.RequestStamps;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Streams that each send their next request when the last one ends (after the think time): a concurrency level,
 * or a sequence when there is one stream (sequential, turns, warm-up).
 *
 * <p>A timed step measures requests sent inside the window. When it closes, measured requests still running go
 * on to their end (their queueing is the measurement) while the streams keep the concurrency up with unmeasured
 * fillers, so the last measured requests do not decode with less competition than the level claims; then the
 * fillers are cancelled. A stream's state changes only on its lane's event loop.
 */
final class ClosedLoop implements LoadDriver {
    private final StepRunner runner;
    private final StepSpec step;
    private final Vertx vertx;
    private final List<Lane> lanes;
    /** A trace replayed as fast as the streams go: where each stream's next record comes from; else null. */
    private final TraceFeed feed;
    private final AtomicInteger activeStreams = new AtomicInteger();
    private final AtomicInteger measuredInFlight = new AtomicInteger();
    private volatile boolean stopping;
    private volatile boolean windowClosed;
    /** A mixed step's probe: at most one in flight, so a slow server is probed, not flooded. */
    private final java.util.concurrent.atomic.AtomicBoolean probeInFlight = new java.util.concurrent.atomic.AtomicBoolean();
    private int probeSeq;

    ClosedLoop(StepRunner runner, StepSpec step, Vertx vertx, List<Lane> lanes, TraceFeed feed) {
        this.runner = runner;
        this.step = step;
        this.vertx = vertx;
        this.lanes = lanes;
        this.feed = feed;
    }

    @Override
    public void start() {
        if (step.isTimed()) {
            vertx.setTimer(Math.max(1, step.rampMillis() + step.durationMillis()), t -> {
                windowClosed = true;
                if (measuredInFlight.get() == 0) runner.stopAndCancel();
                // Safety net: measured requests are bounded by their own timeouts; this ends anything left.
                vertx.setTimer(step.timeouts().totalMillis() + 1000, t2 -> runner.stopAndCancel());
            });
        }
        if (step.mix() != null && step.mix().probe() != null) startProbe();
        int streams = lanes.stream().mapToInt(l -> l.streams.size()).sum();
        activeStreams.set(streams);
        if (streams == 0) {
            runner.driverDone();
            return;
        }
        for (Lane lane : lanes) {
            if (lane.streams.isEmpty()) continue;
            lane.context.runOnContext(v -> {
                lane.activeStreams = lane.streams.size();
                for (int s : List.copyOf(lane.streams)) next(lane, s, 0);
            });
        }
    }

    /** Issues request {@code seq} of {@code stream}, or ends the stream. On the lane's loop. */
    private void next(Lane lane, int stream, int seq) {
        TraceFeed.Next record = stopping || feed == null ? null : feed.next(stream);
        if (stopping || (feed == null ? !step.isTimed() && seq >= step.requests() : record == null)) {
            streamEnded(lane);
            return;
        }
        boolean measured = step.kind() != StepKind.WARMUP && !windowClosed && runner.window().contains(System.nanoTime());
        if (measured) measuredInFlight.incrementAndGet();
        if (record != null) runner.issuer().issue(lane, stream, seq, record.unit(), record.record(), measured, RequestStamps.NONE);
        else runner.issuer().issue(lane, stream, seq, step.kind() == StepKind.TURNS ? seq + 1 : 0, measured, RequestStamps.NONE);
    }

    /** The probe's arrivals, every {@code every} of the target's time, on the first lane; skipped while one is in flight. */
    private void startProbe() {
        Lane lane = lanes.get(0);
        long every = Math.max(1, Math.round(step.mix().probe().everyMillis() / step.target().timeScale()));
        vertx.setPeriodic(every, t -> {
            if (stopping) {
                vertx.cancelTimer(t);
                return;
            }
            if (!probeInFlight.compareAndSet(false, true)) return;
            lane.context.runOnContext(v -> runner.issuer().issueProbe(lane, probeSeq++, !windowClosed && runner.window().contains(System.nanoTime())));
        });
    }

    @Override
    public void ended(Lane lane, Exchange ex) {
        if (ex.stamps.isProbe()) {
            probeInFlight.set(false);
            return;
        }
        if (ex.measured && measuredInFlight.decrementAndGet() == 0 && windowClosed) runner.stopAndCancel();
        if (stopping) {
            streamEnded(lane);
            return;
        }
        int nextSeq = ex.seq + 1;
        if (step.thinkMillis() > 0) vertx.setTimer(step.thinkMillis(), t -> lane.context.runOnContext(v -> next(lane, ex.stream, nextSeq)));
        else next(lane, ex.stream, nextSeq);
    }

    @Override
    public void stop() {
        stopping = true;
    }

    private void streamEnded(Lane lane) {
        lane.activeStreams--;
        if (activeStreams.decrementAndGet() == 0) runner.driverDone();
    }
}
