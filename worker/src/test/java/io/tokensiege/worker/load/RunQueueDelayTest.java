package io.tokensiege.worker.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class RunQueueDelayTest {

    @Test
    void theSecondFieldOfASchedstatLine_isTheRunQueueDelay() {
        assertThat(RunQueueDelay.parse("279400 151578 1\n")).isEqualTo(151_578L);
        assertThat(RunQueueDelay.parse("  5  0  0 ")).isZero();
    }

    @Test
    void whatIsNotASchedstatLine_isUnknown_andSoIsAnyWaitMeasuredFromIt() {
        assertThat(RunQueueDelay.parse("")).isEqualTo(RunQueueDelay.UNKNOWN);
        assertThat(RunQueueDelay.parse("279400")).isEqualTo(RunQueueDelay.UNKNOWN);
        assertThat(RunQueueDelay.parse("279400 lots 1")).isEqualTo(RunQueueDelay.UNKNOWN);
        assertThat(RunQueueDelay.parse("279400 -5 1")).isEqualTo(RunQueueDelay.UNKNOWN);
        assertThat(RunQueueDelay.microsBetween(RunQueueDelay.UNKNOWN, 5_000)).isNull();
        assertThat(RunQueueDelay.microsBetween(5_000, RunQueueDelay.UNKNOWN)).isNull();
        assertThat(RunQueueDelay.microsBetween(9_000, 5_000)).as("a counter never goes back").isNull();
        assertThat(RunQueueDelay.microsBetween(1_000_000, 3_500_000)).isEqualTo(2_500L);
    }

    @Test
    @Timeout(30)
    void aThreadCrowdedOffTheCores_seesItsWaitGrow() throws Exception {
        assumeTrue(RunQueueDelay.nanos() != RunQueueDelay.UNKNOWN, "this kernel keeps no scheduler statistics");
        int crowd = Runtime.getRuntime().availableProcessors() * 3;
        AtomicBoolean spin = new AtomicBoolean(true);
        CountDownLatch running = new CountDownLatch(crowd);
        List<Thread> spinners = new ArrayList<>();
        for (int i = 0; i < crowd; i++) {
            Thread t = new Thread(() -> {
                running.countDown();
                while (spin.get()) Thread.onSpinWait();
            });
            t.setDaemon(true);
            t.start();
            spinners.add(t);
        }
        try {
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
            long before = RunQueueDelay.nanos();
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            while (System.nanoTime() < until) Thread.onSpinWait(); // one runnable thread among three per core
            Long waitedMicros = RunQueueDelay.microsBetween(before, RunQueueDelay.nanos());
            assertThat(waitedMicros).as("µs this thread waited for a core in 300 ms beside %d spinning threads", crowd).isGreaterThan(10_000L);
        } finally {
            spin.set(false);
            for (Thread t : spinners) t.join(5_000);
        }
    }
}
