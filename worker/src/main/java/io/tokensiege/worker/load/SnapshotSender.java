package io.tokensiege.worker.load;

import io.tokensiege.common.protocol.AssignStep;
import io.tokensiege.common.protocol.IntervalSnapshot;
import io.tokensiege.common.protocol.ToCoordinator;
import io.tokensiege.worker.record.StepRecorder;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.function.Consumer;

/**
 * The interval snapshot a worker sends every second of a step, and once more at its end: what its lanes recorded
 * since the last one (histograms and counters), with what is in flight, awaiting a first token, or queued to send.
 */
final class SnapshotSender {
    private static final long EVERY_MILLIS = 1000;

    private final Vertx vertx;
    private final AssignStep assign;
    private final StepRecorder recorder;
    private final List<Lane> lanes;
    private final LoadDriver driver;
    private final Consumer<ToCoordinator> send;
    private long timer = -1;
    private long lastEpochMillis;

    SnapshotSender(Vertx vertx, AssignStep assign, StepRecorder recorder, List<Lane> lanes, LoadDriver driver, Consumer<ToCoordinator> send) {
        this.vertx = vertx;
        this.assign = assign;
        this.recorder = recorder;
        this.lanes = lanes;
        this.driver = driver;
        this.send = send;
    }

    void start() {
        lastEpochMillis = System.currentTimeMillis();
        timer = vertx.setPeriodic(EVERY_MILLIS, t -> sendOne());
    }

    /** Stops the timer and sends the step's last snapshot; a share that never started sends none. */
    void finish() {
        if (timer < 0) return;
        vertx.cancelTimer(timer);
        sendOne();
    }

    private void sendOne() {
        StepRecorder.Interval iv = recorder.takeInterval();
        long now = System.currentTimeMillis();
        int inFlight = lanes.stream().mapToInt(Lane::inFlightCount).sum();
        int awaiting = lanes.stream().mapToInt(Lane::awaitingFirstTokenCount).sum();
        send.accept(new IntervalSnapshot(assign.runId(), assign.stepId(), assign.workerId(), lastEpochMillis, now, iv.histograms(), iv.tokenEvents(),
                iv.completed(), iv.errors(), inFlight, iv.firstTokenTtfts(), awaiting, driver.queued(), iv.tokensPerEvent()));
        lastEpochMillis = now;
    }
}
