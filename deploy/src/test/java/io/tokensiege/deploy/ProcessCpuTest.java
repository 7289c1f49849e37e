package io.tokensiege.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.deploy.ProcessCpu.Kind;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProcessCpuTest {
    @Test
    void threadsAreSortedByTheNamesLinuxKeeps() {
        assertThat(Kind.of("vert.x-eventloo")).isEqualTo(Kind.EVENT_LOOPS);
        assertThat(Kind.of("C2 CompilerThre")).isEqualTo(Kind.JIT);
        assertThat(Kind.of("C1 CompilerThre")).isEqualTo(Kind.JIT);
        assertThat(Kind.of("GC Thread#0")).isEqualTo(Kind.GC_AND_VM);
        assertThat(Kind.of("G1 Conc#0")).isEqualTo(Kind.GC_AND_VM);
        assertThat(Kind.of("VM Thread")).isEqualTo(Kind.GC_AND_VM);
        assertThat(Kind.of("main")).isEqualTo(Kind.OTHER);
        assertThat(Kind.of("vert.x-worker-t")).isEqualTo(Kind.OTHER);
    }

    @Test
    void perToken_splitsTheTotalByKind_andWhatNoKindClaimsIsOther() {
        ProcessCpu before = new ProcessCpu(1_000_000, 500_000, kinds(1_000_000, 0, 0));
        // 3 ms of user and 1 ms of kernel time later: 2.5 ms on the loops, 0.8 ms compiling, 0.2 ms in GC
        ProcessCpu after = new ProcessCpu(4_000_000, 1_500_000, kinds(3_500_000, 800_000, 200_000));
        assertThat(after.perTokenSince(before, 1000))
                .isEqualTo("4.0 µs of CPU per token (3.0 user, 1.0 kernel; event loops 2.5, JIT compiler 0.8, GC and VM 0.2, other 0.5)");
    }

    @Test
    void theLiveProcess_hasSomeCpu_andSomeOfItOnKnownThreads() throws Exception {
        ProcessCpu now = ProcessCpu.now();
        long byKinds = now.byKindNanos().values().stream().mapToLong(Long::longValue).sum();
        assertThat(now.userNanos() + now.kernelNanos()).isPositive();
        assertThat(byKinds).isPositive().isLessThanOrEqualTo(now.userNanos() + now.kernelNanos() + 100_000_000L); // ticks are read file by file
    }

    private static Map<Kind, Long> kinds(long loops, long jit, long gc) {
        Map<Kind, Long> m = new EnumMap<>(Kind.class);
        m.put(Kind.EVENT_LOOPS, loops);
        m.put(Kind.JIT, jit);
        m.put(Kind.GC_AND_VM, gc);
        m.put(Kind.OTHER, 0L);
        return m;
    }
}
