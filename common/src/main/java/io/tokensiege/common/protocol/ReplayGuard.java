package io.tokensiege.common.protocol;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The receiving side's memory of what it accepted, so a signed message counts once: it refuses a message
 * addressed to someone else (or to an earlier session of this receiver), one issued longer ago than
 * {@code maxAgeMicros} (after correcting the sender's measured clock offset), a nonce it has seen, and a
 * sequence number not above the last one it accepted from that sender's session. Checks run after the
 * signature ({@link Envelope#open}); a refusal is a SecurityException saying which rule failed.
 *
 * <p>Memory is bounded: nonces are kept for {@code maxAgeMicros} (an older message is refused as stale
 * anyway), and sessions silent for twice that are forgotten (their old messages are stale too).
 */
public final class ReplayGuard {
    /** How old a message may be when it arrives, by default: ample for a queue on a LAN, short for a replay. */
    public static final long DEFAULT_MAX_AGE_MICROS = 30_000_000;
    private static final int MAX_NONCES = 200_000;

    private final String myId;
    private final long maxAgeMicros;
    private final LongSupplier nowMicros;
    private final LinkedHashMap<String, Long> nonceExpiry = new LinkedHashMap<>();
    private final Map<String, long[]> lastSeqAndSeen = new HashMap<>();

    public ReplayGuard(String myId) {
        this(myId, DEFAULT_MAX_AGE_MICROS, EpochMicros::now);
    }

    public ReplayGuard(String myId, long maxAgeMicros, LongSupplier nowMicros) {
        this.myId = myId;
        this.maxAgeMicros = maxAgeMicros;
        this.nowMicros = nowMicros;
    }

    /**
     * Accepts the message described by {@code h} or throws a SecurityException naming why not.
     *
     * @param mySession          this receiver's current session
     * @param anySessionAllowed  a message addressed to {@link Envelope#ANY_SESSION} is acceptable (only a hello is)
     * @param senderAheadMicros  the sender's clock minus ours, as measured (0 when unknown)
     * @param checkAge           false only for the join handshake, whose freshness comes from its challenge
     */
    public synchronized void accept(Envelope.Header h, String mySession, boolean anySessionAllowed, long senderAheadMicros, boolean checkAge) {
        long now = nowMicros.getAsLong();
        forgetExpired(now);
        if (!myId.equals(h.to())) throw new SecurityException("addressed to '" + h.to() + "', not to '" + myId + "'");
        boolean anySession = Envelope.ANY_SESSION.equals(h.toSession());
        if (anySession ? !anySessionAllowed : !mySession.equals(h.toSession())) {
            throw new SecurityException("addressed to " + (anySession ? "any session" : "another session") + " of '" + myId
                    + "', not to this one (an earlier registration, or a replay)");
        }
        if (checkAge) {
            long ageMicros = now - (h.issuedMicros() - senderAheadMicros);
            if (ageMicros > maxAgeMicros) {
                throw new SecurityException("stale: issued " + Math.round(ageMicros / 1e6) + " s ago, more than the " + maxAgeMicros / 1_000_000 + " s allowed");
            }
            if (ageMicros < -maxAgeMicros) {
                throw new SecurityException("issued " + Math.round(-ageMicros / 1e6) + " s in the future (after the measured clock offset)");
            }
        }
        if (nonceExpiry.containsKey(h.nonce())) throw new SecurityException("replayed: nonce already seen from " + h.from());
        String sender = h.from() + "/" + h.fromSession();
        long[] last = lastSeqAndSeen.get(sender);
        if (last != null && h.seq() <= last[0]) {
            throw new SecurityException("out of order: sequence " + h.seq() + " from " + h.from() + " after " + last[0]);
        }
        nonceExpiry.put(h.nonce(), now + maxAgeMicros);
        if (nonceExpiry.size() > MAX_NONCES) nonceExpiry.remove(nonceExpiry.keySet().iterator().next()); // sequences still guard these
        lastSeqAndSeen.put(sender, new long[] {h.seq(), now});
    }

    private void forgetExpired(long now) {
        for (Iterator<Long> it = nonceExpiry.values().iterator(); it.hasNext(); ) {
            if (it.next() >= now) break; // insertion order is expiry order
            it.remove();
        }
        if (lastSeqAndSeen.size() > 64) lastSeqAndSeen.values().removeIf(e -> now - e[1] > 2 * maxAgeMicros);
    }
}
