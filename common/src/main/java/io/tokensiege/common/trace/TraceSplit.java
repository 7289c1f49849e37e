package io.tokensiege.common.trace;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Splits a trace's records over workers, deterministically: its units (a session with all its turns, or one
 * standalone request) are dealt out in trace order by smooth weighted round-robin, so a worker with twice the weight
 * gets every other unit rather than the trace's whole first half. Dealt over shares [2, 1], units go 0 1 0 0 1 0 ...
 * A worker's records keep trace order.
 */
public final class TraceSplit {
    private TraceSplit() {}

    /** The records of each worker, by {@code weights} (a worker's streams or share); a worker of weight 0 gets none. */
    public static List<List<TraceRecord>> split(List<List<TraceRecord>> units, int[] weights) {
        long total = 0;
        for (int w : weights) total += Math.max(0, w);
        List<List<TraceRecord>> out = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) out.add(new ArrayList<>());
        if (total == 0) return out;
        long[] current = new long[weights.length];
        for (List<TraceRecord> unit : units) {
            int best = -1;
            for (int i = 0; i < weights.length; i++) {
                if (weights[i] <= 0) continue;
                current[i] += weights[i];
                if (best < 0 || current[i] > current[best]) best = i;
            }
            current[best] -= total;
            out.get(best).addAll(unit);
        }
        for (List<TraceRecord> records : out) records.sort(Comparator.comparingInt(TraceRecord::line));
        return out;
    }
}
