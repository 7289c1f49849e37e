package io.tokensiege.common.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A plan's bytes: at most 1 MB, refused before parsing (and before reading a big file whole); strict UTF-8 with the bad byte's offset. */
class PlanTextTest {
    @TempDir
    Path dir;

    private static PlanError error(PlanException e) {
        assertThat(e).isNotNull();
        assertThat(e.errors()).hasSize(1);
        return e.errors().get(0);
    }

    @Test
    void latin1Byte_isRefused_withItsByteOffsetLineAndColumn() throws Exception {
        byte[] bytes = (PlanStructureTest.PLAN + "description: caf\u00e9\n").getBytes(StandardCharsets.ISO_8859_1);
        int offset = PlanStructureTest.PLAN.length() + "description: caf".length();
        Path file = Files.write(dir.resolve("latin1.yaml"), bytes);
        PlanError e = error(catchThrowableOfType(PlanException.class, () -> PlanReader.load(file.toString())));
        assertThat(e.message()).isEqualTo("not UTF-8: byte 0xE9 at byte offset " + offset + " is not valid UTF-8");
        assertThat(e.line()).isEqualTo(10);
        assertThat(e.column()).isEqualTo(17);
        assertThat(e.toString()).startsWith(file + ":10:17: not UTF-8");
    }

    @Test
    void truncatedMultiByteSequence_atTheEnd_isRefused() {
        byte[] bytes = {'a', ':', ' ', (byte) 0xE2, (byte) 0x82};
        PlanError e = error(catchThrowableOfType(PlanException.class, () -> PlanReader.parse(bytes, "p.yaml", PlanOptions.DEFAULT)));
        assertThat(e.message()).contains("byte 0xE2 at byte offset 3");
        assertThat(e.column()).isEqualTo(4);
    }

    @Test
    void byteOrderMark_isDropped() throws PlanException {
        byte[] plan = PlanStructureTest.PLAN.getBytes(StandardCharsets.UTF_8);
        byte[] withBom = new byte[plan.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(plan, 0, withBom, 3, plan.length);
        assertThat(PlanReader.parse(withBom, "p.yaml", PlanOptions.DEFAULT).name()).isEqualTo("p");
    }

    @Test
    void fileOverTheBound_isRefusedByItsSize_beforeItIsRead() throws Exception {
        Path big = dir.resolve("big.yaml");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(10L * 1024 * 1024); // sparse: 10 MB of size, nothing written
        }
        PlanError e = error(catchThrowableOfType(PlanException.class, () -> PlanReader.load(big.toString())));
        // Only the size check knows the size: a read that had started would report the bound, not the file's size.
        assertThat(e.message()).isEqualTo("plan is larger than 1048576 bytes (1 MB): 10485760 bytes");
    }

    @Test
    void streamOverTheBound_isRefused_afterReadingAtMostOneByteMore() {
        CountingEndlessStream in = new CountingEndlessStream();
        PlanError e = error(catchThrowableOfType(PlanException.class, () -> PlanText.readBounded(in, "stdin")));
        assertThat(e.message()).startsWith("plan is larger than 1048576 bytes");
        assertThat(in.bytesRead).isEqualTo(PlanText.MAX_BYTES + 1L);
    }

    @Test
    void textOverTheBound_isRefusedBeforeParsing() {
        String big = PlanStructureTest.PLAN + "description: \"" + "\u00e9".repeat(PlanText.MAX_BYTES / 2) + "\"\n"; // under 1 M chars, over 1 MB
        assertThat(big.length()).isLessThan(PlanText.MAX_BYTES);
        PlanError e = error(catchThrowableOfType(PlanException.class, () -> PlanReader.parse(big, "p.yaml")));
        assertThat(e.message()).startsWith("plan is larger than 1048576 bytes");
    }

    @Test
    void planAtTheBound_isRead() throws PlanException {
        String padding = "#".repeat(PlanText.MAX_BYTES - PlanStructureTest.PLAN.length() - 1) + "\n";
        String plan = PlanStructureTest.PLAN + padding;
        assertThat(plan.getBytes(StandardCharsets.UTF_8)).hasSize(PlanText.MAX_BYTES);
        assertThat(PlanReader.parse(plan, "p.yaml").name()).isEqualTo("p");
    }

    /** An endless plan that counts what was taken from it. */
    private static final class CountingEndlessStream extends InputStream {
        long bytesRead;

        @Override
        public int read() {
            bytesRead++;
            return '#';
        }

        @Override
        public int read(byte[] b, int off, int len) {
            java.util.Arrays.fill(b, off, off + len, (byte) '#');
            bytesRead += len;
            return len;
        }
    }
}
