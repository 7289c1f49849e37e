package io.tokensiege.coordinator.run;

import io.tokensiege.common.protocol.ToWorker;

/** How the coordinator reaches one worker: the in-process bus or the cluster, never both. */
public interface WorkerLink {
    String workerId();

    /** Relative capacity for share weighting (1 unless the worker declared more). */
    default int capacity() {
        return 1;
    }

    void send(ToWorker message);

    /** This worker's wall clock minus the coordinator's, in µs, as last measured; 0 when unknown (or in-process). */
    default long clockOffsetMicros() {
        return 0;
    }

    /** False once the transport saw the worker go (crash, network loss, messages left unacknowledged). */
    default boolean alive() {
        return true;
    }

    /** Why the worker is no longer alive, as the end of a sentence ("worker w1 ..."): shown in failures. */
    default String lostReason() {
        return "left the cluster";
    }

    /** True when the way this worker was lost means the run cannot go on (its commands are being taken by someone else). */
    default boolean lossEndsRun() {
        return false;
    }
}
