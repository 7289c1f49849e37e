package io.tokensiege.common.protocol;

import java.time.Instant;

/** Wall-clock microseconds (Instant has microsecond resolution on Linux), for clock-offset estimates. */
public final class EpochMicros {
    private EpochMicros() {}

    public static long now() {
        Instant i = Instant.now();
        return i.getEpochSecond() * 1_000_000L + i.getNano() / 1000;
    }
}
