package io.tokensiege.worker.cluster;

import io.tokensiege.common.protocol.EpochMicros;

/**
 * Where this worker stands with the coordinator: the coordinator session whose challenge it answered,
 * whether that session admitted it, when it last heard from it, and since when it has not been admitted
 * (for giving up). Thread-safe: the inbox reader, the watchdog and Hazelcast's lifecycle threads all
 * move it.
 */
final class Registration {
    private final long silenceLimitNanos;
    private String coordinatorSession;
    private boolean admitted;
    private long unadmittedSinceNanos = System.nanoTime();
    private long lastHeardNanos;
    private long lastHelloNanos;
    private int hellos;
    private boolean dropping;
    private long minClockSampleMicros = Long.MAX_VALUE;

    /** @param silenceLimitNanos the admitted coordinator silent this long: the dead-man rule drops the session */
    Registration(long silenceLimitNanos) {
        this.silenceLimitNanos = silenceLimitNanos;
    }

    /** A challenge from {@code session} was answered: what that session sends next is expected, its clock sampled. */
    synchronized void challenged(String session, long coordinatorSentMicros) {
        if (!session.equals(coordinatorSession)) minClockSampleMicros = Long.MAX_VALUE;
        coordinatorSession = session;
        clockSample(coordinatorSentMicros);
    }

    synchronized boolean isFrom(String session) {
        return session.equals(coordinatorSession);
    }

    synchronized void admitted() {
        admitted = true;
        lastHeardNanos = System.nanoTime();
    }

    /** The admitted coordinator session, or null when not admitted. */
    synchronized String admittedSession() {
        return admitted ? coordinatorSession : null;
    }

    /**
     * A message of the admitted coordinator arrived. Once the coordinator has been silent past the limit, the dead-man rule
     * stands whatever comes next: a backlog read on resuming from a pause must not keep a session that may have missed or
     * refused commands (its heartbeats would then read as a queue drained by someone else).
     */
    synchronized void heard() {
        if (!silentTooLong()) lastHeardNanos = System.nanoTime();
    }

    /** Admitted, and the coordinator silent past the limit: the session must be dropped (dead-man rule). */
    synchronized boolean silentTooLong() {
        return admitted && System.nanoTime() - lastHeardNanos > silenceLimitNanos;
    }

    /**
     * Forgets the admission and the challenge answered; true when a challenge had been answered, admitted or not yet. Then a
     * new session must register: the coordinator may have admitted this one with a welcome we will now refuse, and would
     * ignore its hellos as already admitted until it timed out.
     */
    /**
     * The session is to be dropped (the coordinator silent or lost) while a command still holds the inbox: nothing more from it
     * is obeyed, and the watchdog drops it as soon as the inbox is free. {@link #cancel} ends this.
     */
    synchronized void dropping() {
        dropping = true;
    }

    synchronized boolean isDropping() {
        return dropping;
    }

    synchronized boolean cancel() {
        dropping = false;
        boolean known = coordinatorSession != null;
        if (admitted) unadmittedSinceNanos = System.nanoTime();
        admitted = false;
        coordinatorSession = null;
        minClockSampleMicros = Long.MAX_VALUE;
        return known;
    }

    /** True (and counted) when a hello should go out now: not admitted, and none sent within {@code retryNanos}. */
    synchronized boolean helloDue(long retryNanos) {
        if (admitted || (hellos > 0 && System.nanoTime() - lastHelloNanos < retryNanos)) return false;
        lastHelloNanos = System.nanoTime();
        hellos++;
        return true;
    }

    /** A hello that must go out whatever the retry pace (a new connection, a new session). */
    synchronized void helloSent() {
        lastHelloNanos = System.nanoTime();
        hellos++;
    }

    synchronized int hellos() {
        return hellos;
    }

    /** How long the admitted coordinator has been silent (0 when not admitted). */
    synchronized long silentNanos() {
        return admitted ? System.nanoTime() - lastHeardNanos : 0;
    }

    /** How long this worker has gone without an admission (0 while admitted). */
    synchronized long unadmittedNanos() {
        return admitted ? 0 : System.nanoTime() - unadmittedSinceNanos;
    }

    /** Our clock minus the coordinator's plus the smallest delivery delay seen: what its pings and challenge say. */
    synchronized void clockSample(long coordinatorSentMicros) {
        minClockSampleMicros = Math.min(minClockSampleMicros, EpochMicros.now() - coordinatorSentMicros);
    }

    /** The coordinator's clock minus ours, as well as we can tell (0 before any sample). */
    synchronized long coordinatorAheadMicros() {
        return minClockSampleMicros == Long.MAX_VALUE ? 0 : -minClockSampleMicros;
    }
}
