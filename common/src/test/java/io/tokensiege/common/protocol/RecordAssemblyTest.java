package io.tokensiege.common.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.metric.RequestRecord;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A worker's records come back in chunks before its StepFinished: whole and in order, or partial and said, never waited for. */
class RecordAssemblyTest {
    static RequestRecord record(String worker, int seq) {
        return new RequestRecord(new RequestRecord.Origin("s1", worker, 0, seq, 0, null),
                true,
                new RequestRecord.Times(1_000L * seq, null, 5_000L, 5_000L, 5_000L, 100L, 9_000L, 10L, 50.0),
                new RequestRecord.Tokens(20, null, 20, null, 0, 20, 0, 10, 0, 20),
                new RequestRecord.Outcome("stop", null, null, null, 200, false),
                new RequestRecord.Answer("id", 10, "answer " + seq),
                null, null, null);
    }

    private static List<RequestRecord> records(String worker, int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> record(worker, i)).toList();
    }

    private static StepFinished finished(String worker, int chunks) {
        return new StepFinished("r", "s1", worker, null, List.of(), false, chunks);
    }

    @Test
    void chunksOfTwoWorkers_interleaved_comeBackWholeAndInOrder_perWorker() {
        RecordAssembly assembly = new RecordAssembly();
        assembly.add(new RecordChunk("r", "s1", "a", 0, records("a", 0, 3)));
        assembly.add(new RecordChunk("r", "s1", "b", 0, records("b", 0, 2)));
        assembly.add(new RecordChunk("r", "s1", "a", 1, records("a", 3, 5)));
        assembly.add(new RecordChunk("r", "s1", "a", 2, List.of()));

        RecordAssembly.Assembled a = assembly.complete(finished("a", 3));
        assertThat(a.missing()).isNull();
        assertThat(a.finished().records()).isEqualTo(records("a", 0, 5));
        assertThat(a.finished().recordChunks()).isZero(); // whole now: nothing more to wait for
        assertThat(assembly.complete(finished("b", 1)).finished().records()).isEqualTo(records("b", 0, 2));
    }

    @Test
    void aMissingChunk_leavesTheShareWithTheRestInOrder_andSaysWhichIsMissing() {
        RecordAssembly assembly = new RecordAssembly();
        assembly.add(new RecordChunk("r", "s1", "a", 0, records("a", 0, 3)));
        assembly.add(new RecordChunk("r", "s1", "a", 2, records("a", 6, 8)));

        RecordAssembly.Assembled a = assembly.complete(finished("a", 3));
        assertThat(a.finished().records()).isEqualTo(java.util.stream.Stream.concat(records("a", 0, 3).stream(), records("a", 6, 8).stream()).toList());
        assertThat(a.missing()).contains("worker a").contains("chunk(s) [1] of 3").contains("missing from requests.jsonl.gz");
    }

    @Test
    void aShareWhoseRecordsCameWithIt_isTakenAsIs() {
        StepFinished inline = new StepFinished("r", "s1", "a", null, records("a", 0, 2), false);
        RecordAssembly.Assembled a = new RecordAssembly().complete(inline);
        assertThat(a.finished()).isSameAs(inline);
        assertThat(a.missing()).isNull();
    }

    @Test
    void recordChunksAndTheirCount_surviveTheCodec() {
        RecordChunk chunk = new RecordChunk("r", "s1", "a", 4, records("a", 0, 2));
        assertThat(ProtocolCodec.decodeToCoordinator(ProtocolCodec.encode(chunk))).isEqualTo(chunk);
        StepFinished f = finished("a", 7);
        assertThat(((StepFinished) ProtocolCodec.decodeToCoordinator(ProtocolCodec.encode(f))).recordChunks()).isEqualTo(7);
    }
}
