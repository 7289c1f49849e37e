package io.tokensiege.worker.load;

import java.lang.management.ManagementFactory;

/**
 * Whether this process may open a connection for every stream of a step. Past its open-file limit ({@code ulimit -n})
 * every further connect fails with "Too many open files", which the step would count as the server's connect errors.
 */
public final class FileDescriptors {
    /** Files the JVM, the event loops, the record spool and the cluster keep open beside the connections. */
    static final long HEADROOM = 64;

    private FileDescriptors() {}

    /** Null when {@code streams} more connections fit under the limit (or the limit is unknown), else what to do about it. */
    public static String shortage(String workerId, int streams) {
        if (!(ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix)) return null;
        return shortage(workerId, streams, unix.getMaxFileDescriptorCount(), unix.getOpenFileDescriptorCount());
    }

    static String shortage(String workerId, int streams, long max, long open) {
        if (max <= 0 || open < 0) return null;
        long free = max - open;
        if (streams + HEADROOM <= free) return null;
        return "worker " + workerId + " may open " + free + " more files (ulimit -n " + max + ", " + open + " open), and this step needs a connection"
                + " for each of its " + streams + " streams: every connection past the limit would fail as if the server refused it. Raise the"
                + " limit where the worker starts (ulimit -n 65536, or LimitNOFILE= in its systemd unit) or add workers";
    }
}
