package io.tokensiege.common.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.chat.ChatMessage;
import io.tokensiege.common.trace.TraceRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A worker's trace share travels in chunks: each one, sealed as the cluster sends it, at most 1 MB; together, every record in order. */
class TraceChunkTest {
    private final MessageSigner coordinator = new MessageSigner(new SecretBox("chunk-test-token-0123456789"), "coordinator");

    private static TraceRecord record(int line, int chars) {
        // Quotes and newlines are escaped twice on the way (record JSON, then the envelope's body string): the worst case for size.
        String content = "say \"hi\"\n".repeat(chars / 9);
        return new TraceRecord(line, line * 1000L, List.of(new ChatMessage("user", content)), null, null, 16, "g", null, 0);
    }

    @Test
    void aLargeShare_isSplitIntoChunksThatEachFitOneClusterMessage_andKeepEveryRecordInOrder() {
        List<TraceRecord> records = new ArrayList<>();
        for (int i = 1; i <= 60; i++) records.add(record(i, 100_000)); // ~6 MB of text, ~15 MB once escaped twice
        List<TraceChunk> chunks = TraceChunk.of("run-1", "s001-t-replay", "worker-1", records);

        assertThat(chunks.size()).isGreaterThan(10);
        for (TraceChunk c : chunks) {
            String wire = coordinator.seal("worker-1", "session", c).wire();
            assertThat(wire.getBytes(StandardCharsets.UTF_8).length).as("chunk %d sealed", c.index()).isLessThanOrEqualTo(1 << 20);
            assertThat(c.of()).isEqualTo(chunks.size());
            assertThat(ProtocolCodec.decodeToWorker(ProtocolCodec.encode(c))).isEqualTo(c); // the records survive the codec
        }
        assertThat(chunks).extracting(TraceChunk::index).containsExactlyElementsOf(java.util.stream.IntStream.range(0, chunks.size()).boxed().toList());
        assertThat(chunks.stream().flatMap(c -> c.records().stream()).toList()).isEqualTo(records);
        // Packed, not one record a message: most chunks are more than half full.
        assertThat(chunks.stream().filter(c -> coordinator.seal("w", "s", c).wire().length() > (1 << 19)).count()).isGreaterThan(chunks.size() / 2);
    }

    @Test
    void anEmptyShare_isOneEmptyChunk_soTheWorkerCanTellNoneFromLost() {
        assertThat(TraceChunk.of("r", "s", "w", List.of())).singleElement().satisfies(c -> {
            assertThat(c.index()).isZero();
            assertThat(c.of()).isEqualTo(1);
            assertThat(c.records()).isEmpty();
        });
    }
}
