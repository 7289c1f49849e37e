package io.tokensiege.worker.sse;

import java.util.Arrays;

/**
 * An incremental Server-Sent Events parser (WHATWG rules): lines end in LF, CRLF or CR (a CRLF may be
 * split across buffers); {@code :} lines are comments (keep-alives); several {@code data:} lines join
 * with LF; an empty line dispatches the event; one leading UTF-8 BOM is skipped; an event typed {@code event: error} is
 * reported as an error. Events may be split at any byte and may be megabytes.
 *
 * <p>Works on bytes in place: an event whose single {@code data:} line and closing blank line arrive in the same
 * buffer (nearly every event of an LLM stream) is handed to the listener as a slice of that buffer, never copied.
 * Only a line split across buffers, or an event of several data lines, is copied into the parser's own arrays.
 * Every event is reported with the arrival time of the buffer that completed it, stamped by the caller before any
 * parsing. A line or an event longer than the limit is reported once ({@link Listener#onOversized}) and everything
 * after it is ignored: a server that never sends a newline costs one request, not the worker's memory.
 * Not thread-safe: one parser per response.
 */
public final class SseParser {
    /** Receives complete events; {@code data[offset, offset + length)} is only valid during the call. */
    public interface Listener {
        void onEvent(byte[] data, int offset, int length, long arrivalNanos);

        default void onComment(long arrivalNanos) {}

        /** An event typed {@code event: error} (its data may be empty): the server reports a failure inside the stream. */
        default void onErrorEvent(byte[] data, int offset, int length, long arrivalNanos) {}

        /** A line or event passed {@code limitBytes}; the parser reads nothing more. */
        default void onOversized(int limitBytes) {}
    }

    public static final int DEFAULT_MAX_EVENT_BYTES = 1 << 20;
    private static final byte[] NEWLINE = {'\n'};
    /** A UTF-8 byte-order mark, which the SSE standard skips once at the start of a stream. */
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private static final byte[] EVENT_FIELD = "event:".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] ERROR = "error".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final Listener listener;
    private final int maxEventBytes;
    private boolean oversized;
    /** A line split across buffers, carried to the next one. */
    private byte[] line = new byte[256];
    private int lineLength;
    /** An event's data once it had to be copied (several data lines, or a data line whose event ends in a later buffer). */
    private byte[] data = new byte[512];
    private int dataLength;
    private boolean hasData;
    /** The event's single data line still in the caller's buffer, not yet copied: valid only within one feed call. */
    private byte[] inPlace;
    private int inPlaceOffset;
    private int inPlaceLength;
    private boolean lastWasCr;
    /** How much of a leading BOM has been read; -1 once the stream's first bytes were seen not to be (or to be) one. */
    private int bomRead;
    /** The event being read was typed {@code event: error}. */
    private boolean errorEvent;

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
        while (bomRead >= 0 && i < end) { // the first bytes of the stream, split across buffers or not
            if (bytes[i] != BOM[bomRead]) {
                appendLine(BOM, 0, bomRead); // they began like a BOM, and were text
                bomRead = -1;
            } else if (++bomRead == BOM.length) {
                bomRead = -1;
                i++;
            } else {
                i++;
            }
        }
        if (lastWasCr && i < end && bytes[i] == '\n') i++; // the LF of a CRLF split across buffers
        lastWasCr = false;
        int segment = i;
        for (; i < end; i++) {
            byte b = bytes[i];
            if (b != '\n' && b != '\r') continue;
            if (lineLength == 0) {
                lineInPlace(bytes, segment, i - segment, arrivalNanos);
            } else {
                appendLine(bytes, segment, i - segment);
                if (!oversized) lineFromCarry(arrivalNanos);
            }
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
        if (inPlace != null) copyInPlaceData(); // the caller reuses its buffer: the pending data line must outlive it
        if (segment < end) appendLine(bytes, segment, end - segment);
    }

    public void feed(byte[] bytes, long arrivalNanos) {
        feed(bytes, 0, bytes.length, arrivalNanos);
    }

    /** True when bytes of an unfinished event are buffered (the stream ended mid-event). */
    public boolean hasPartialEvent() {
        return lineLength > 0 || hasData;
    }

    /** A whole line inside the caller's buffer. */
    private void lineInPlace(byte[] bytes, int from, int length, long arrivalNanos) {
        if (length == 0) {
            dispatch(arrivalNanos);
        } else if (bytes[from] == ':') {
            listener.onComment(arrivalNanos);
        } else if (isData(bytes, from, length)) {
            int valueStart = valueStart(bytes, from, length);
            dataLine(bytes, valueStart, from + length - valueStart);
        } else {
            eventField(bytes, from, length);
        }
    }

    /** {@code event: error} marks the event an error; other fields (id:, retry:) carry nothing OpenAI streams need. */
    private void eventField(byte[] b, int from, int length) {
        if (!startsWith(b, from, length, EVENT_FIELD)) return;
        int v = from + EVENT_FIELD.length;
        if (v < from + length && b[v] == ' ') v++;
        errorEvent = from + length - v == ERROR.length && startsWith(b, v, ERROR.length, ERROR);
    }

    private static boolean startsWith(byte[] b, int from, int length, byte[] word) {
        return length >= word.length && Arrays.equals(b, from, from + word.length, word, 0, word.length);
    }

    /** A line completed from the carry buffer. */
    private void lineFromCarry(long arrivalNanos) {
        int length = lineLength;
        lineLength = 0;
        if (line[0] == ':') {
            listener.onComment(arrivalNanos);
        } else if (isData(line, 0, length)) {
            int valueStart = valueStart(line, 0, length);
            copyDataLine(line, valueStart, length - valueStart);
        } else {
            eventField(line, 0, length);
        }
    }

    private void dataLine(byte[] bytes, int from, int length) {
        if (!hasData && length <= maxEventBytes) { // the common case: keep it where it is
            inPlace = bytes;
            inPlaceOffset = from;
            inPlaceLength = length;
            hasData = true;
            return;
        }
        copyDataLine(bytes, from, length);
    }

    private void copyDataLine(byte[] bytes, int from, int length) {
        if (inPlace != null) copyInPlaceData();
        if (hasData) appendData(NEWLINE, 0, 1);
        if (oversized) return;
        appendData(bytes, from, length);
        if (!oversized) hasData = true;
    }

    private void dispatch(long arrivalNanos) {
        if (errorEvent) {
            errorEvent = false;
            if (inPlace != null) listener.onErrorEvent(inPlace, inPlaceOffset, inPlaceLength, arrivalNanos);
            else listener.onErrorEvent(data, 0, hasData ? dataLength : 0, arrivalNanos);
        } else if (!hasData) {
            return;
        } else if (inPlace != null) {
            listener.onEvent(inPlace, inPlaceOffset, inPlaceLength, arrivalNanos);
        } else {
            listener.onEvent(data, 0, dataLength, arrivalNanos);
        }
        inPlace = null;
        hasData = false;
        dataLength = 0;
    }

    private void copyInPlaceData() {
        byte[] source = inPlace;
        inPlace = null;
        dataLength = 0;
        appendData(source, inPlaceOffset, inPlaceLength);
    }

    private static boolean isData(byte[] b, int from, int length) {
        return length >= 4 && b[from] == 'd' && b[from + 1] == 'a' && b[from + 2] == 't' && b[from + 3] == 'a' && (length == 4 || b[from + 4] == ':');
    }

    private static int valueStart(byte[] b, int from, int length) {
        if (length <= 5) return from + length;
        return b[from + 5] == ' ' ? from + 6 : from + 5;
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

    private void appendData(byte[] bytes, int from, int count) {
        if (dataLength + count > maxEventBytes) {
            overflow();
            return;
        }
        if (dataLength + count > data.length) data = Arrays.copyOf(data, Math.max(data.length * 2, dataLength + count));
        System.arraycopy(bytes, from, data, dataLength, count);
        dataLength += count;
    }

    private void overflow() {
        oversized = true;
        line = new byte[0]; // let the big buffers go at once
        data = new byte[0];
        inPlace = null;
        lineLength = 0;
        dataLength = 0;
        hasData = false;
        listener.onOversized(maxEventBytes);
    }
}
