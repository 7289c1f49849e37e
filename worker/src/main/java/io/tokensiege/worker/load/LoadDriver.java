package io.tokensiege.worker.load;

/**
 * How a step's requests are issued: a closed loop of streams ({@link ClosedLoop}), an open loop of arrivals
 * ({@link OpenLoop}). The {@link StepRunner} owns lanes, window, recorder and records; a driver only decides
 * what to send next and tells the runner when it has nothing left ({@link StepRunner#driverDone()}).
 */
interface LoadDriver {
    /** Begins issuing, at the step's start instant. */
    void start();

    /** A request ended, on its lane's event loop, after the runner accounted for it. */
    void ended(Lane lane, Exchange ex);

    /** Issue nothing more: the step is ending or aborted (requests in flight are cancelled by the runner). */
    void stop();

    /** Open loop: arrivals due and held client-side at the in-flight cap right now; 0 for other drivers. */
    default int queued() {
        return 0;
    }

    /** Open loop: arrivals whose intended time fell in the window, and of those, never sent. */
    default int scheduledInWindow() {
        return 0;
    }

    default int notSentInWindow() {
        return 0;
    }
}
