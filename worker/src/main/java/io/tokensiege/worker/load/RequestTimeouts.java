package io.tokensiege.worker.load;

import io.tokensiege.common.metric.ErrorClass;
import io.tokensiege.common.metric.RequestStamps;
import io.tokensiege.common.plan.Timeouts;

/** Which of a request's timeouts, if any, has run out: total, first token, or idle between events. */
final class RequestTimeouts {
    /** A timeout that ran out, with what to report. */
    record Expired(ErrorClass errorClass, String detail) {}

    private RequestTimeouts() {}

    /** Null while none has run out, or before the request was sent. Connecting is bounded by the connect timeout, and by these. */
    static Expired check(Timeouts timeouts, RequestStamps stamps, long lastActivityNanos, long nowNanos) {
        if (stamps.sendNanos == RequestStamps.NONE) return null;
        long sinceSend = nowNanos - stamps.sendNanos;
        if (sinceSend > ms(timeouts.totalMillis())) {
            return new Expired(ErrorClass.TIMEOUT_TOTAL, "no end after " + timeouts.inTargetTime(timeouts.totalMillis()));
        }
        if (stamps.firstNanos == RequestStamps.NONE && sinceSend > ms(timeouts.firstTokenMillis())) {
            return new Expired(ErrorClass.TIMEOUT_FIRST_TOKEN, "no token after " + timeouts.inTargetTime(timeouts.firstTokenMillis()));
        }
        if (stamps.firstNanos != RequestStamps.NONE && nowNanos - lastActivityNanos > ms(timeouts.idleMillis())) {
            return new Expired(ErrorClass.TIMEOUT_IDLE, "no event for " + timeouts.inTargetTime(timeouts.idleMillis()));
        }
        return null;
    }

    private static long ms(long millis) {
        return millis * 1_000_000L;
    }
}
