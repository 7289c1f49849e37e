package io.tokensiege.deploy;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/**
 * This process's CPU time so far, in total and by kind of thread, from /proc/self/stat and /proc/self/task/{@literal *}/stat
 * (clock ticks of 10 ms). The kinds say where a client's CPU per token goes: JIT compiling still under way is not
 * what a long step costs per token, and the split makes that visible instead of hiding it in one figure.
 */
record ProcessCpu(long userNanos, long kernelNanos, Map<Kind, Long> byKindNanos) {
    private static final long TICK_NANOS = 10_000_000L; // USER_HZ is 100 on Linux

    enum Kind {
        EVENT_LOOPS("event loops"), JIT("JIT compiler"), GC_AND_VM("GC and VM"), OTHER("other");

        final String label;

        Kind(String label) {
            this.label = label;
        }

        /** By the thread's name as Linux keeps it (its first 15 characters). */
        static Kind of(String comm) {
            if (comm.startsWith("vert.x-eventloo")) return EVENT_LOOPS;
            if (comm.startsWith("C1 CompilerThre") || comm.startsWith("C2 CompilerThre")) return JIT;
            if (comm.startsWith("GC Thread") || comm.startsWith("G1 ") || comm.startsWith("VM Thread") || comm.startsWith("VM Periodic")) return GC_AND_VM;
            return OTHER;
        }
    }

    static ProcessCpu now() throws IOException {
        long[] total = ticks(Files.readString(Path.of("/proc/self/stat")));
        Map<Kind, Long> byKind = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) byKind.put(k, 0L);
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
            for (Path task : tasks) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    long[] t = ticks(stat);
                    byKind.merge(Kind.of(stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))), (t[0] + t[1]) * TICK_NANOS, Long::sum);
                } catch (NoSuchFileException ended) {
                    // a thread that ended meanwhile: its time is still in the process's total
                }
            }
        }
        return new ProcessCpu(total[0] * TICK_NANOS, total[1] * TICK_NANOS, byKind);
    }

    /** {user, kernel} ticks of a stat line: fields 14 and 15, counted after "pid (comm) " (a name may hold spaces). */
    private static long[] ticks(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[] {Long.parseLong(fields[11]), Long.parseLong(fields[12])};
    }

    /**
     * "x µs of CPU per token (u user, k kernel; event loops e, JIT compiler j, ...)" from {@code before} to this, over
     * {@code tokens}. Threads that ended in between count under "other" (the total minus the kinds still seen).
     */
    String perTokenSince(ProcessCpu before, double tokens) {
        double user = (userNanos - before.userNanos) / 1e3 / tokens;
        double kernel = (kernelNanos - before.kernelNanos) / 1e3 / tokens;
        StringBuilder kinds = new StringBuilder();
        double named = 0;
        for (Kind k : Kind.values()) {
            if (k == Kind.OTHER) continue;
            double us = (byKindNanos.get(k) - before.byKindNanos.get(k)) / 1e3 / tokens;
            named += us;
            if (us >= 0.05) kinds.append(String.format(java.util.Locale.ROOT, "%s %.1f, ", k.label, us));
        }
        kinds.append(String.format(java.util.Locale.ROOT, "other %.1f", Math.max(0, user + kernel - named)));
        return String.format(java.util.Locale.ROOT, "%.1f µs of CPU per token (%.1f user, %.1f kernel; %s)", user + kernel, user, kernel, kinds);
    }
}
