package io.tokensiege.common.protocol;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * The sending side of one cluster endpoint: its id, its current session, a sequence number that only
 * grows, and a fresh nonce and issue time for every message it seals. Callers that send from several
 * threads must seal and enqueue under one lock per destination, so sequence order is queue order.
 */
public final class MessageSigner {
    private static final SecureRandom RANDOM = new SecureRandom();
    private final SecretBox box;
    private final String id;
    private volatile String session = randomId();
    private long seq;

    public MessageSigner(SecretBox box, String id) {
        this.box = box;
        this.id = id;
    }

    /** A sealed message and the sequence number it carries (acknowledgements name it). */
    public record Sealed(String wire, long seq) {}

    public String id() {
        return id;
    }

    public String session() {
        return session;
    }

    /** Starts a new session: messages addressed to the old one are refused from now on. */
    public synchronized void newSession() {
        session = randomId();
        seq = 0;
    }

    public synchronized Sealed seal(String to, String toSession, Object message) {
        long n = ++seq;
        var header = new Envelope.Header(id, session, to, toSession, n, EpochMicros.now(), randomId());
        return new Sealed(Envelope.seal(box, header, message), n);
    }

    /** 128 random bits, URL-safe: sessions, nonces and join challenges. */
    public static String randomId() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
