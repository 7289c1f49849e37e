package io.tokensiege.worker.load;

/** Lets tests map the worker's wall-clock stamps back to nanoTime the same way the worker made them. */
public final class EpochClockAccess {
    private EpochClockAccess() {}

    public static long[] pair() {
        return EpochClock.pair();
    }
}
