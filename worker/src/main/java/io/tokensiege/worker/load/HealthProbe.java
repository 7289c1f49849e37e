package io.tokensiege.worker.load;

import io.tokensiege.common.protocol.StepTotals;
import io.vertx.core.Vertx;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How loaded the worker itself is while it measures: every 100 ms each lane's event loop runs a probe
 * and records how late it ran (its own callbacks waited that long too), the process CPU load is sampled,
 * and GC time is counted. A loaded client inflates latencies the server never caused.
 */
final class HealthProbe {
    private static final long PERIOD_MILLIS = 100;
    private final Vertx vertx;
    private final AtomicLong maxDelayMicros = new AtomicLong();
    private volatile boolean stopped;
    private volatile double peakCpu;
    private final long gcAtStart = gcMillis();

    HealthProbe(Vertx vertx, List<Lane> lanes) {
        this.vertx = vertx;
        for (Lane lane : lanes) lane.context.runOnContext(v -> schedule(lane, System.nanoTime() + PERIOD_MILLIS * 1_000_000L));
    }

    private void schedule(Lane lane, long dueNanos) {
        vertx.setTimer(PERIOD_MILLIS, t -> {
            if (stopped) return;
            long late = Math.max(0, System.nanoTime() - dueNanos) / 1000;
            maxDelayMicros.accumulateAndGet(late, Math::max);
            double cpu = processCpu();
            if (cpu > peakCpu) peakCpu = cpu;
            schedule(lane, System.nanoTime() + PERIOD_MILLIS * 1_000_000L);
        });
    }

    /** Ends the probing (a pending probe fires once more and returns) and reports what it saw. */
    StepTotals.WorkerHealth stop() {
        stopped = true;
        return new StepTotals.WorkerHealth(maxDelayMicros.get(), peakCpu, gcMillis() - gcAtStart);
    }

    private static double processCpu() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? Math.max(0, sun.getProcessCpuLoad()) : 0;
    }

    private static long gcMillis() {
        long total = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) total += Math.max(0, gc.getCollectionTime());
        return total;
    }
}
