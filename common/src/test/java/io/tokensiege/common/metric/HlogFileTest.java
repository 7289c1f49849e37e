package io.tokensiege.common.metric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An interval log whose writes fail says so (HdrHistogram's own writer would swallow the error behind a PrintStream). */
class HlogFileTest {
    @TempDir
    Path dir;

    @Test
    void aFullDevice_isReportedAfterTheWrite_withItsCause() throws Exception {
        Path full = Path.of("/dev/full"); // Linux: every write fails with ENOSPC, as on a full disk
        assumeTrue(Files.isWritable(full), "needs /dev/full");
        try (HlogFile hlog = HlogFile.create(full)) {
            hlog.writer().outputLogFormatVersion();
            hlog.writer().outputIntervalHistogram(0, 1, histogram(), 1.0);
            assertThat(hlog.failure()).isNotNull();
            assertThat(hlog.failure().getMessage()).containsIgnoringCase("space");
        }
    }

    @Test
    void aWorkingDisk_hasNoFailure_andTheFileHoldsTheIntervals() throws Exception {
        Path file = dir.resolve("a/b.hlog");
        try (HlogFile hlog = HlogFile.create(file)) {
            hlog.writer().outputLogFormatVersion();
            hlog.writer().outputIntervalHistogram(0, 1, histogram(), 1.0);
            assertThat(hlog.failure()).isNull();
        }
        assertThat(Files.size(file)).isPositive();
        assertThat(new org.HdrHistogram.HistogramLogReader(file.toFile()).nextIntervalHistogram()).isNotNull();
    }

    private static Histogram histogram() {
        Histogram h = Histograms.create();
        h.recordValue(1234);
        return h;
    }
}
