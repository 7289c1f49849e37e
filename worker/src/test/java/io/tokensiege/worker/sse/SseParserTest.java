package io.tokensiege.worker.sse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

public class SseParserTest {

    public static byte[] golden(String name) throws IOException {
        try (InputStream in = SseParserTest.class.getResourceAsStream("/sse/" + name)) {
            return in.readAllBytes();
        }
    }

    static List<String> parse(byte[]... buffers) {
        List<String> events = new ArrayList<>();
        SseParser p = new SseParser((data, off, len, t) -> events.add(new String(data, off, len, StandardCharsets.UTF_8)));
        for (byte[] b : buffers) p.feed(b, 0);
        return events;
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama-cpp.sse", "vllm-reasoning-content.sse", "ollama-reasoning.sse", "keepalive-no-usage.sse", "tool-calls.sse"})
    void parser_whenEventSplitAtEveryBytePosition_thenSameEvents(String file) throws IOException {
        byte[] all = golden(file);
        List<String> whole = parse(all);
        assertThat(whole).isNotEmpty();
        assertThat(whole.get(whole.size() - 1)).isEqualTo("[DONE]");
        for (int k = 0; k <= all.length; k++) {
            byte[] a = java.util.Arrays.copyOfRange(all, 0, k);
            byte[] b = java.util.Arrays.copyOfRange(all, k, all.length);
            assertThat(parse(a, b)).as("split at byte %d", k).isEqualTo(whole);
        }
    }

    @Test
    void parser_whenFedOneByteAtATime_thenSameEvents() throws IOException {
        byte[] all = golden("ollama-reasoning.sse");
        byte[][] single = new byte[all.length][];
        for (int i = 0; i < all.length; i++) single[i] = new byte[] {all[i]};
        assertThat(parse(single)).isEqualTo(parse(all)).hasSize(8);
    }

    @Test
    void parser_whenLineEndsAreCrLfOrCr_thenSameAsLf() {
        String lf = "data: a\n\ndata: b\n\n";
        assertThat(parse("data: a\r\n\r\ndata: b\r\n\r\n".getBytes())).isEqualTo(parse(lf.getBytes())).containsExactly("a", "b");
        assertThat(parse("data: a\r\rdata: b\r\r".getBytes())).containsExactly("a", "b");
        // CR at the end of one buffer, LF at the start of the next: one line end, not two.
        assertThat(parse("data: a\r".getBytes(), "\n\r\ndata: b\n\n".getBytes())).containsExactly("a", "b");
    }

    @Test
    void parser_whenCommentsAndOtherFields_thenIgnoredButCommentsReported() {
        List<String> events = new ArrayList<>();
        int[] comments = {0};
        SseParser p = new SseParser(new SseParser.Listener() {
            @Override
            public void onEvent(byte[] data, int offset, int length, long arrivalNanos) {
                events.add(new String(data, offset, length, StandardCharsets.UTF_8));
            }

            @Override
            public void onComment(long arrivalNanos) {
                comments[0]++;
            }
        });
        p.feed(": keep-alive\n\nevent: message\nid: 7\nretry: 10\ndata: x\n\n: ping\n\n".getBytes(), 0);
        assertThat(events).containsExactly("x");
        assertThat(comments[0]).isEqualTo(2);
    }

    @Test
    void parser_whenMultiLineData_thenJoinedWithNewline() {
        assertThat(parse("data: {\"a\":\ndata: 1}\n\n".getBytes())).containsExactly("{\"a\":\n1}");
        assertThat(parse("data:nospace\n\n".getBytes())).containsExactly("nospace");
    }

    @Test
    void parser_whenEventIsMegabytesWithinTheLimit_thenDeliveredWhole() {
        String big = "x".repeat(3 * 1024 * 1024);
        List<String> events = new ArrayList<>();
        SseParser p = new SseParser((data, off, len, t) -> events.add(new String(data, off, len, StandardCharsets.UTF_8)), 4 << 20);
        for (byte[] piece : pieces(("data: " + big + "\n\n").getBytes(), 8192)) p.feed(piece, 0);
        assertThat(events).containsExactly(big);
    }

    @Test
    void parser_whenALineNeverEnds_reportsOversizedOnceAndReadsNoMore() {
        List<String> events = new ArrayList<>();
        int[] oversized = new int[1];
        SseParser p = new SseParser(new SseParser.Listener() {
            @Override
            public void onEvent(byte[] data, int offset, int length, long arrivalNanos) {
                events.add(new String(data, offset, length, StandardCharsets.UTF_8));
            }

            @Override
            public void onOversized(int limitBytes) {
                oversized[0]++;
                assertThat(limitBytes).isEqualTo(1000);
            }
        }, 1000);
        p.feed("data: ok\n\n".getBytes(), 0);
        byte[] noNewline = "y".repeat(300).getBytes();
        for (int i = 0; i < 100; i++) p.feed(noNewline, 0); // 30 KB without a line end
        p.feed("\n\ndata: after\n\n".getBytes(), 0);
        assertThat(events).containsExactly("ok");
        assertThat(oversized[0]).isEqualTo(1);
        assertThat(p.hasPartialEvent()).isFalse();
    }

    @Test
    void parser_whenManyShortDataLinesMakeOneHugeEvent_reportsOversized() {
        int[] oversized = new int[1];
        SseParser p = new SseParser(new SseParser.Listener() {
            @Override
            public void onEvent(byte[] data, int offset, int length, long arrivalNanos) {
                throw new AssertionError("no event may be delivered");
            }

            @Override
            public void onOversized(int limitBytes) {
                oversized[0]++;
            }
        }, 1000);
        for (int i = 0; i < 200; i++) p.feed("data: 0123456789\n".getBytes(), 0); // lines fit, the event does not
        p.feed("\n".getBytes(), 0);
        assertThat(oversized[0]).isEqualTo(1);
    }

    static List<byte[]> pieces(byte[] all, int size) {
        List<byte[]> pieces = new ArrayList<>();
        for (int i = 0; i < all.length; i += size) pieces.add(java.util.Arrays.copyOfRange(all, i, Math.min(all.length, i + size)));
        return pieces;
    }

    @Test
    void parser_reportsArrivalTimeOfTheBufferThatCompletedTheEvent() {
        List<Long> times = new ArrayList<>();
        SseParser p = new SseParser((d, o, l, t) -> times.add(t));
        p.feed("data: {\"a\"".getBytes(), 100);
        p.feed(":1}\n".getBytes(), 200);
        p.feed("\ndata: b\n\n".getBytes(), 300);
        assertThat(times).containsExactly(300L, 300L);
    }

    @Test
    void parser_whenStreamStopsMidEvent_thenReportsPartial() {
        SseParser p = new SseParser((d, o, l, t) -> {});
        p.feed("data: {\"x\":1}\n\ndata: {\"y\"".getBytes(), 0);
        assertThat(p.hasPartialEvent()).isTrue();
    }

    @Test
    void aWholeEventInOneBuffer_isHandedOverInPlace_withoutACopy() {
        byte[] buffer = "data: {\"a\":1}\n\n".getBytes(StandardCharsets.UTF_8);
        byte[][] seen = new byte[1][];
        int[] slice = new int[2];
        new SseParser((data, off, len, t) -> {
            seen[0] = data;
            slice[0] = off;
            slice[1] = len;
        }).feed(buffer, 0);
        assertThat(seen[0]).isSameAs(buffer);
        assertThat(new String(buffer, slice[0], slice[1], StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
    }

    @Test
    void anEventEndingInALaterBuffer_survivesTheCallerReusingItsBuffer() {
        List<String> events = new ArrayList<>();
        SseParser p = new SseParser((data, off, len, t) -> events.add(new String(data, off, len, StandardCharsets.UTF_8)));
        byte[] reused = "data: {\"first\":1}\n".getBytes(StandardCharsets.UTF_8);
        p.feed(reused, 0);
        java.util.Arrays.fill(reused, (byte) 'X'); // a network buffer is recycled as soon as feed returns
        p.feed("\ndata: {\"second\":2}\n\n".getBytes(StandardCharsets.UTF_8), 0);
        assertThat(events).containsExactly("{\"first\":1}", "{\"second\":2}");
    }
}
