package io.tokensiege.worker.record;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.protocol.MessageSigner;
import io.tokensiege.common.protocol.RecordAssembly;
import io.tokensiege.common.protocol.RecordChunk;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.protocol.StepFinished;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A step's records go to the worker's disk as they end, and from there to the coordinator in chunks that each fit one cluster message. */
@Timeout(60)
class RecordLogTest {
    private final MessageSigner worker = new MessageSigner(new SecretBox("record-log-test-token-0123"), "w1");
    @TempDir
    Path data;

    /** A record whose answer sample is all quotes and backslashes: each is escaped twice on the way, the worst case for size. */
    private static RequestRecord record(int seq) {
        return new RequestRecord(new RequestRecord.Origin("s1", "w1", seq % 7, seq, 0, null),
                true,
                new RequestRecord.Times(1_000L * seq, null, 5_000L, 5_000L, 5_000L, 100L, 9_000L, 10L, 50.0),
                new RequestRecord.Tokens(20, null, 20, null, 0, 20, 0, 10, 0, 20),
                new RequestRecord.Outcome("stop", null, null, null, 200, false),
                new RequestRecord.Answer("id-" + seq, 10, "\"\\".repeat(400) + seq),
                null, null, null);
    }

    @Test
    void aStepWithManyRecords_arrivesInSeveralChunks_eachUnder1MbSealed_wholeAndInOrder() throws Exception {
        RecordLog log = RecordLog.open(data, "run-1", "s1");
        List<RequestRecord> expected = new ArrayList<>();
        for (int i = 0; i < 6_000; i++) { // ~3.6 KB each once escaped twice: ~20 MB in all
            RequestRecord r = record(i);
            expected.add(r);
            log.append(r);
        }
        List<RecordChunk> chunks = new ArrayList<>();
        int sent = log.sendChunks("run-1", "s1", "w1", chunks::add);

        assertThat(sent).isEqualTo(chunks.size()).isGreaterThan(10);
        RecordAssembly assembly = new RecordAssembly();
        for (RecordChunk c : chunks) {
            int sealed = worker.seal("coordinator", "session", c).wire().getBytes(StandardCharsets.UTF_8).length;
            assertThat(sealed).as("chunk %d sealed", c.index()).isLessThanOrEqualTo(1 << 20);
            assembly.add(c);
        }
        // Packed, not a record a message: every chunk but the last is more than half full.
        assertThat(chunks.subList(0, chunks.size() - 1)).allSatisfy(c ->
                assertThat(worker.seal("coordinator", "session", c).wire().length()).isGreaterThan(1 << 19));
        RecordAssembly.Assembled back = assembly.complete(new StepFinished("run-1", "s1", "w1", null, List.of(), false, sent));
        assertThat(back.missing()).isNull();
        assertThat(back.finished().records()).isEqualTo(expected);
        assertThat(log.failure()).isNull();
        // With a data dir, the file stays as the worker's local copy.
        assertThat(Files.readAllLines(data.resolve("run-1").resolve("s1.requests.jsonl"))).hasSize(6_000);
    }

    @Test
    void aRecordWritten_isNoLongerHeldInMemory() throws Exception {
        RecordLog log = RecordLog.open(null, "run-1", "s1");
        RequestRecord r = record(1);
        WeakReference<RequestRecord> ref = new WeakReference<>(r);
        log.append(r);
        r = null;
        for (int i = 0; i < 50 && ref.get() != null; i++) {
            System.gc(); // a request for a collection, bounded: only an object still referenced survives every one
            Thread.onSpinWait();
        }
        assertThat(ref.get()).as("the record after it was written").isNull();
        assertThat(log.appended()).isEqualTo(1);
        List<RecordChunk> chunks = new ArrayList<>();
        log.sendChunks("run-1", "s1", "w1", chunks::add);
        assertThat(chunks).singleElement().satisfies(c -> assertThat(c.records()).containsExactly(record(1)));
        assertThat(log.path()).as("a temporary file is deleted once sent").doesNotExist();
    }

    @Test
    void noRecords_isOneEmptyChunk_soTheCoordinatorCanTellNoneFromLost() {
        List<RecordChunk> chunks = new ArrayList<>();
        assertThat(RecordLog.open(data, "run-1", "s2").sendChunks("run-1", "s2", "w1", chunks::add)).isEqualTo(1);
        assertThat(chunks).singleElement().satisfies(c -> assertThat(c.records()).isEmpty());
    }

    @Test
    void aFileThatCannotBeWritten_keepsTheRecordsInMemory_sendsThemAll_andSaysTheLocalCopyIsIncomplete() throws Exception {
        Path notADir = Files.writeString(data.resolve("file"), "x"); // as a full disk: the first write fails
        RecordLog log = RecordLog.open(notADir, "run-1", "s1");
        List<RequestRecord> expected = new ArrayList<>();
        for (int i = 0; i < 200; i++) { // past one 64 KB buffer: the failed write's records and the later ones
            expected.add(record(i));
            log.append(record(i));
        }
        List<RecordChunk> chunks = new ArrayList<>();
        int sent = log.sendChunks("run-1", "s1", "w1", chunks::add);
        RecordAssembly assembly = new RecordAssembly();
        chunks.forEach(assembly::add);
        assertThat(assembly.complete(new StepFinished("run-1", "s1", "w1", null, List.of(), false, sent)).finished().records()).isEqualTo(expected);
        assertThat(log.failure()).isNotNull();
        assertThat(log.failureReport("run-1", "s1", "w1")).hasValueSatisfying(f -> {
            assertThat(f.kind()).isEqualTo(io.tokensiege.common.protocol.WorkerFailed.WRITE_FAILED);
            assertThat(f.message()).contains("that copy is incomplete").contains("still went to the coordinator");
        });
    }
}
