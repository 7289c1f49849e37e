package io.tokensiege.worker.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A step that needs more connections than the worker may open files is refused up front, not counted as the server's connect errors. */
class FileDescriptorsTest {
    @Test
    void moreStreamsThanFreeFiles_areRefused_sayingHowToRaiseTheLimit() {
        assertThat(FileDescriptors.shortage("w1", 600, 400, 40)).isEqualTo("worker w1 may open 360 more files (ulimit -n 400, 40 open), and this step"
                + " needs a connection for each of its 600 streams: every connection past the limit would fail as if the server refused it. Raise the"
                + " limit where the worker starts (ulimit -n 65536, or LimitNOFILE= in its systemd unit) or add workers");
        assertThat(FileDescriptors.shortage("w1", 300, 400, 40)).as("no room left for the JVM's own files").isNotNull();
        assertThat(FileDescriptors.shortage("w1", 296, 400, 40)).isNull();
        assertThat(FileDescriptors.shortage("w1", 600, -1, 40)).as("a limit the platform does not tell").isNull();
    }

    @Test
    void thisMachinesLimit_isRead() {
        assertThat(FileDescriptors.shortage("w1", 1)).isNull();
        assertThat(FileDescriptors.shortage("w1", Integer.MAX_VALUE / 2)).contains("more files (ulimit -n ");
    }
}
