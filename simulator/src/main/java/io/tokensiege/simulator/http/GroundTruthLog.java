package io.tokensiege.simulator.http;

import java.util.ArrayList;
import java.util.List;

/** A bounded ring of the most recent requests' ground truth (oldest dropped first). */
public final class GroundTruthLog {
    private final GroundTruth[] ring;
    private long written;

    public GroundTruthLog(int capacity) {
        this.ring = new GroundTruth[capacity];
    }

    synchronized void add(GroundTruth truth) {
        ring[(int) (written++ % ring.length)] = truth;
    }

    /** Requests in arrival order, with id greater than {@code afterId}. */
    public synchronized List<GroundTruth> since(long afterId) {
        List<GroundTruth> out = new ArrayList<>();
        long from = Math.max(0, written - ring.length);
        for (long i = from; i < written; i++) {
            GroundTruth t = ring[(int) (i % ring.length)];
            if (t.id > afterId) out.add(t);
        }
        return out;
    }

    public synchronized GroundTruth byId(long id) {
        for (GroundTruth t : since(id - 1)) if (t.id == id) return t;
        return null;
    }

    public List<GroundTruth> all() {
        return since(Long.MIN_VALUE);
    }
}
