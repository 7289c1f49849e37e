package io.tokensiege.coordinator.report;

import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.protocol.StepFinished;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * A step's successful measured requests in the order they were sent, each with its TTFT (ms of the target's own time): the
 * fairness view. A server that serves in order draws a rising staircase; one that starves some requests draws outliers.
 * At most {@value #MAX_POINTS} points are kept (every k-th request in send order), so a long step keeps the page small.
 *
 * @param requests how many requests there were; {@code every} = k when only every k-th is kept
 */
record SendOrder(int requests, int every, List<Point> points) {
    static final int MAX_POINTS = 400;
    static final SendOrder NONE = new SendOrder(0, 1, List.of());

    /** {@code rank} counts from 1 in send order over all workers (their clocks aligned by the measured offsets). */
    record Point(int rank, double ttftMs) {}

    static SendOrder of(Collection<StepFinished> shares, double timeScale) {
        List<RequestRecord> sent = shares.stream().flatMap(f -> f.records().stream())
                .filter(r -> r.measured() && r.ok() && r.times().ttftMicros() != null && !r.origin().isProbe()) // the level's own, as its figures
                .sorted(Comparator.comparingLong(rec -> rec.times().sendEpochMicros())).toList();
        int every = Math.max(1, (sent.size() + MAX_POINTS - 1) / MAX_POINTS);
        List<Point> points = new ArrayList<>();
        for (int i = 0; i < sent.size(); i += every) points.add(new Point(i + 1, sent.get(i).times().ttftMicros() * timeScale / 1000.0));
        return new SendOrder(sent.size(), every, points);
    }
}
