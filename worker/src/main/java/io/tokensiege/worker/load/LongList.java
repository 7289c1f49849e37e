package io.tokensiege.worker.load;

import java.util.Arrays;

/** A growable list of primitive longs (event arrival times), without boxing. */
final class LongList {
    private long[] values = new long[64];
    private int size;

    void add(long v) {
        if (size == values.length) values = Arrays.copyOf(values, size * 2);
        values[size++] = v;
    }

    int size() {
        return size;
    }

    /** How many values lie in [from, to). */
    int countIn(long from, long to) {
        int n = 0;
        for (int i = 0; i < size; i++) if (values[i] >= from && values[i] < to) n++;
        return n;
    }
}
