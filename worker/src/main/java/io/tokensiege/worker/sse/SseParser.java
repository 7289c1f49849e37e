package io.tokensiege.worker.sse;

import java.util.Arrays;

/**
 * An incremental Server-Sent Events parser (WHATWG rules): lines end in LF, CRLF or CR (a CRLF may be
 * split across buffers); {@code :} lines are comments (keep-alives); several {@code data:} lines join
 * with LF; an empty line dispatches the event. Events may be split at any byte and may be megabytes.
 *
 * <p>Works on bytes, not Strings, so the decoder can parse the JSON in place. Every event is reported
 * with the arrival time of the buffer that completed it, stamped by the caller before any parsing.
 * A line or an event longer than the limit is reported once ({@link Listener#onOversized}) and everything after
 * it is ignored: a server that never sends a newline costs one request, not the worker's memory.
 * Not thread-safe: one parser per response.
 */
public final class SseParser {
    /** Receives complete events; {@code data} is only valid during the call. */
    public interface Listener {
        void onEvent(byte[] data, int length, long arrivalNanos);

        default void onComment(long arrivalNanos) {}

        /** A line or event passed {@code limitBytes}; the parser reads nothing more. */
        default void onOversized(int limitBytes) {}
    }

    public static final int DEFAULT_MAX_EVENT_BYTES = 1 << 20;
    private static final byte[] NEWLINE = {'\n'};

    private final Listener listener;
    private final int maxEventBytes;
    private boolean oversized;
    private byte[] line = new byte[256];
    private int lineLength;
    private byte[] data = new byte[512];
    private int dataLength;
    private boolean hasData;
    private boolean lastWasCr;

    public SseParser(Listener listener) {
        this(listener, DEFAULT_MAX_EVENT_BYTES);
    }

    public SseParser(Listener listener, int maxEventBytes) {
        this.listener = listener;
        this.maxEventBytes = maxEventBytes;
    }

    public void feed(byte[] bytes, int offset, int length, long arrivalNanos) {
        if (oversized) return;
        int end = offset + length;
        int i = offset;
        if (lastWasCr && i < end && bytes[i] == '\n') i++; // the LF of a CRLF split across buffers
        lastWasCr = false;
        int segment = i;
        for (; i < end; i++) {
            byte b = bytes[i];
            if (b == '\n' || b == '\r') {
                appendLine(bytes, segment, i - segment);
                endOfLine(arrivalNanos);
                if (oversized) return;
                if (b == '\r') {
                    if (i + 1 < end) {
                        if (bytes[i + 1] == '\n') i++;
                    } else {
                        lastWasCr = true;
                    }
                }
                segment = i + 1;
            }
        }
        if (segment < end) appendLine(bytes, segment, end - segment);
    }

    public void feed(byte[] bytes, long arrivalNanos) {
        feed(bytes, 0, bytes.length, arrivalNanos);
    }

    /** True when bytes of an unfinished event are buffered (the stream ended mid-event). */
    public boolean hasPartialEvent() {
        return lineLength > 0 || hasData;
    }

    private void appendLine(byte[] bytes, int from, int count) {
        if (count == 0 || oversized) return;
        if (lineLength + count > maxEventBytes) {
            overflow();
            return;
        }
        if (lineLength + count > line.length) line = Arrays.copyOf(line, Math.max(line.length * 2, lineLength + count));
        System.arraycopy(bytes, from, line, lineLength, count);
        lineLength += count;
    }

    private void endOfLine(long arrivalNanos) {
        if (oversized) return;
        if (lineLength == 0) {
            if (hasData) listener.onEvent(data, dataLength, arrivalNanos);
            hasData = false;
            dataLength = 0;
            return;
        }
        if (line[0] == ':') {
            listener.onComment(arrivalNanos);
        } else if (startsWithData()) {
            int valueStart = 5;
            if (lineLength > 5 && line[5] == ' ') valueStart = 6;
            if (hasData) appendData(NEWLINE, 0, 1);
            if (oversized) return;
            appendData(line, valueStart, lineLength - valueStart);
            if (oversized) return;
            hasData = true;
        }
        // Other fields (event:, id:, retry:) carry nothing OpenAI streams need.
        lineLength = 0;
    }

    private boolean startsWithData() {
        return lineLength >= 5 && line[0] == 'd' && line[1] == 'a' && line[2] == 't' && line[3] == 'a'
                && (lineLength == 4 || line[4] == ':');
    }

    private void overflow() {
        oversized = true;
        line = new byte[0]; // let the big buffers go at once
        data = new byte[0];
        lineLength = 0;
        dataLength = 0;
        hasData = false;
        listener.onOversized(maxEventBytes);
    }

    private void appendData(byte[] bytes, int from, int count) {
        if (dataLength + count > maxEventBytes) {
            overflow();
            return;
        }
        if (dataLength + count > data.length) data = Arrays.copyOf(data, Math.max(data.length * 2, dataLength + count));
        System.arraycopy(bytes, from, data, dataLength, count);
        dataLength += count;
    }
}
