package io.tokensiege.common.protocol;

import io.tokensiege.common.cluster.MessageSize;
import java.util.ArrayList;
import java.util.List;

/**
 * Packs items, one at a time, into parts that each fit one cluster message once sealed: at most
 * {@link #MAX_WIRE_BYTES}, the frame (the empty message) included. One sizing rule for every chunked message
 * ({@link TraceChunk} to a worker, {@link RecordChunk} back), and it needs no item but the one being added, so
 * a worker can pack its records as it reads them from disk.
 */
public final class ChunkPacker<T> {
    /** No cluster message exceeds 1 MB; see {@link MessageSize#MAX_WIRE_BYTES}. */
    public static final int MAX_WIRE_BYTES = MessageSize.MAX_WIRE_BYTES;

    private final long frameBytes;
    private List<T> part = new ArrayList<>();
    private long bytes;

    /** @param emptyMessage the message with no items and the widest index, whose encoding is the frame every part pays */
    public ChunkPacker(Object emptyMessage) {
        this.frameBytes = wireBytes(ProtocolCodec.encode(emptyMessage));
        this.bytes = frameBytes;
    }

    /** Whether an item of {@code itemWireBytes} fits a message on its own. */
    public boolean fits(long itemWireBytes) {
        return frameBytes + itemWireBytes + 1 <= MAX_WIRE_BYTES;
    }

    /**
     * Adds an item of {@code itemWireBytes} (see {@link #wireBytes}); returns the part it closed when it did not fit
     * beside the items before it, else null.
     *
     * @throws IllegalArgumentException when the item alone, in an empty message, is over the bound
     */
    public List<T> add(T item, long itemWireBytes) {
        if (!fits(itemWireBytes)) throw new IllegalArgumentException("an item of " + itemWireBytes + " bytes as sent, more than one cluster message holds");
        long size = itemWireBytes + 1; // and its comma
        List<T> closed = null;
        if (!part.isEmpty() && bytes + size > MAX_WIRE_BYTES) {
            closed = part;
            part = new ArrayList<>();
            bytes = frameBytes;
        }
        part.add(item);
        bytes += size;
        return closed;
    }

    /** The last part (empty when nothing was added: "none" is a part too, so a receiver can tell it from "lost"). */
    public List<T> finish() {
        List<T> last = part;
        part = new ArrayList<>();
        bytes = frameBytes;
        return last;
    }

    /** See {@link MessageSize#wireBytes}. */
    public static long wireBytes(String json) {
        return MessageSize.wireBytes(json);
    }
}
