package io.tokensiege.worker.load;

import io.tokensiege.common.protocol.StepTotals;
import io.vertx.core.Vertx;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * How loaded the worker itself is while it measures: every 100 ms each lane's event loop runs a probe
 * and records how late it ran (its own callbacks waited that long too); the JVM's CPU time and GC
 * time are counted over the step. A loaded client inflates latencies the server never caused.
 * Reported as sustained figures (p90 delay: late a tenth of the time; mean CPU), so one GC pause or the burst of a step's start
 * does not call a calm worker saturated. A step with a schedule also counts how late each measured arrival was sent
 * ({@link #sent}): that lateness is in the request's {@code ttft_intended}, so it is reported at its tail.
 */
final class HealthProbe {
    private static final long PERIOD_MILLIS = 100;
    private final Vertx vertx;
    private final Histogram delaysMicros = new Histogram(3_600_000_000L, 2); // guarded by itself: one probe per lane
    private final Histogram sendLateMicros; // guarded by itself; null without a schedule
    private volatile boolean stopped;
    private final long gcAtStart = gcMillis();
    private final long cpuAtStart = processCpuNanos();
    private final long wallAtStart = System.nanoTime();

    /** {@code scheduled}: the step's arrivals have intended times (open loop, trace at its pace). */
    HealthProbe(Vertx vertx, List<Lane> lanes, boolean scheduled) {
        this.vertx = vertx;
        this.sendLateMicros = scheduled ? new Histogram(3_600_000_000L, 2) : null;
        for (Lane lane : lanes) lane.context.runOnContext(v -> schedule(lane, System.nanoTime() + PERIOD_MILLIS * 1_000_000L));
    }

    private void schedule(Lane lane, long dueNanos) {
        vertx.setTimer(PERIOD_MILLIS, t -> {
            if (stopped) return;
            long late = Math.max(0, System.nanoTime() - dueNanos) / 1000;
            synchronized (delaysMicros) {
                delaysMicros.recordValue(Math.min(late, delaysMicros.getHighestTrackableValue()));
            }
            schedule(lane, System.nanoTime() + PERIOD_MILLIS * 1_000_000L);
        });
    }

    /** A measured arrival is handed to the HTTP client now; it could have gone at {@code readyNanos}. */
    void sent(long readyNanos) {
        long late = Math.max(0, System.nanoTime() - readyNanos) / 1000;
        synchronized (sendLateMicros) {
            sendLateMicros.recordValue(Math.min(late, sendLateMicros.getHighestTrackableValue()));
        }
    }

    /** Ends the probing (a pending probe fires once more and returns) and reports what it saw. */
    StepTotals.WorkerHealth stop() {
        stopped = true;
        long wall = System.nanoTime() - wallAtStart;
        double cpu = wall <= 0 ? 0 : (processCpuNanos() - cpuAtStart) / (double) wall / Runtime.getRuntime().availableProcessors();
        long p90;
        synchronized (delaysMicros) {
            p90 = delaysMicros.getTotalCount() == 0 ? 0 : delaysMicros.getValueAtPercentile(90);
        }
        Long sendP99 = null;
        Long sendMax = null;
        if (sendLateMicros != null) {
            synchronized (sendLateMicros) {
                if (sendLateMicros.getTotalCount() > 0) {
                    sendP99 = sendLateMicros.getValueAtPercentile(99);
                    sendMax = sendLateMicros.getMaxValue();
                }
            }
        }
        return new StepTotals.WorkerHealth(p90, Math.max(0, Math.min(1, cpu)), gcMillis() - gcAtStart, sendP99, sendMax);
    }

    private static long processCpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? Math.max(0, sun.getProcessCpuTime()) : 0;
    }

    private static long gcMillis() {
        long total = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) total += Math.max(0, gc.getCollectionTime());
        return total;
    }
}
