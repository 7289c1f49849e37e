package io.tokensiege.worker.load;

import io.tokensiege.common.trace.Trace;
import io.tokensiege.common.trace.TraceRecord;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands a worker's trace records to the streams of a closed loop: a stream takes a whole unit (a session, whose turns it
 * then sends one after another, or a standalone request) and, when that is used up, the next unit no stream has taken.
 * Used up, the trace ends the streams, or with {@code cycle} (a level with a duration) starts over from its first unit.
 * A stream's position changes only on its lane's event loop; the units are shared, so taking one is atomic.
 */
final class TraceFeed {
    /** A record to send, and the unit (numbered on this worker) it belongs to. */
    record Next(int unit, TraceRecord record) {}

    private static final class Position {
        final int unit;
        final List<TraceRecord> records;
        int next;

        Position(int unit, List<TraceRecord> records) {
            this.unit = unit;
            this.records = records;
        }
    }

    private final List<List<TraceRecord>> units;
    private final boolean cycle;
    private final AtomicLong taken = new AtomicLong();
    private final Map<Integer, Position> byStream = new ConcurrentHashMap<>();

    TraceFeed(List<TraceRecord> records, boolean cycle) {
        this.units = Trace.units(records);
        this.cycle = cycle;
    }

    /** The next record for {@code stream}, or null when the trace is used up (never, with cycle, unless it is empty). */
    Next next(int stream) {
        Position p = byStream.get(stream);
        if (p == null || p.next >= p.records.size()) {
            long u = taken.getAndIncrement();
            if (units.isEmpty() || (!cycle && u >= units.size())) {
                byStream.remove(stream);
                return null;
            }
            int unit = (int) (u % units.size());
            p = new Position(unit, units.get(unit));
            byStream.put(stream, p);
        }
        return new Next(p.unit, p.records.get(p.next++));
    }
}
