package io.tokensiege.common.metric;

import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import org.HdrHistogram.Histogram;

/**
 * Histogram sizing and the wire codec: HdrHistogram's compressed encoding, merged with
 * {@link Histogram#add}, never by averaging percentiles.
 */
public final class Histograms {
    /** 1 µs .. 1 h: every duration up to the longest timeout fits. */
    public static final long HIGHEST_TRACKABLE = 3_600_000_000L;
    public static final int SIGNIFICANT_DIGITS = 3;

    private Histograms() {}

    public static Histogram create() {
        return new Histogram(1, HIGHEST_TRACKABLE, SIGNIFICANT_DIGITS);
    }

    /** Values above the range are clamped (and the caller counts them), never thrown. */
    public static long clamp(long value) {
        return Math.max(1, Math.min(value, HIGHEST_TRACKABLE));
    }

    public static byte[] encode(Histogram h) {
        ByteBuffer buf = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int len = h.encodeIntoCompressedByteBuffer(buf);
        byte[] out = new byte[len];
        buf.flip();
        buf.get(out);
        return out;
    }

    public static Histogram decode(byte[] bytes) {
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(bytes), 1);
        } catch (DataFormatException e) {
            throw new IllegalArgumentException("corrupt histogram encoding (" + bytes.length + " bytes)", e);
        }
    }
}
