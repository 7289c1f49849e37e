package io.tokensiege.common.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.common.json.Json;
import java.nio.charset.StandardCharsets;

/**
 * A wire message with its HMAC-SHA256 signature under the cluster token. The signature covers the body
 * and a {@link Header}: who sent it (and in which session), to whom (and which session), its sequence
 * number, when it was issued and a one-time nonce. So a receiver refuses anything unsigned or signed with
 * another token (a worker on the LAN obeys only its own coordinator), and {@link ReplayGuard} can refuse
 * a message captured and sent again, one kept back too long, one out of order, or one meant for someone
 * else.
 */
public final class Envelope {
    /** Wire format version; a receiver refuses another one (and the hello of an older worker is answered with why). */
    public static final int VERSION = 3;
    /** {@link Header#toSession()} of a message addressed to whichever session the recipient runs: only a hello. */
    public static final String ANY_SESSION = "*";

    private Envelope() {}

    /**
     * @param from         sender id ("coordinator" or a worker id)
     * @param fromSession  random id of the sender's current session (a new process, or a new registration, gets a new one)
     * @param to           recipient id
     * @param toSession    the recipient's session, or {@link #ANY_SESSION} when the sender cannot know it yet
     * @param seq          grows with every message the sender seals in this session
     * @param issuedMicros the sender's wall clock when it sealed the message
     * @param nonce        random, never used twice
     */
    public record Header(String from, String fromSession, String to, String toSession, long seq, long issuedMicros, String nonce) {}

    /** A message whose signature checked out: its header and its body (JSON of a protocol record). */
    public record Opened(Header header, String body) {}

    public static String seal(SecretBox box, Header header, Object message) {
        String body = ProtocolCodec.encode(message);
        return Json.write(new Wire(VERSION, header, body, box.sign(signedText(header, body))));
    }

    /** The verified header and body, or a SecurityException naming what is wrong. Says nothing yet about replays. */
    public static Opened open(SecretBox box, String wire) {
        Wire w;
        try {
            w = Json.MAPPER.readValue(wire, Wire.class);
        } catch (Exception e) {
            throw new SecurityException("not a tokensiege envelope");
        }
        if (w.body() == null || w.signature() == null) throw new SecurityException("unsigned message");
        if (w.version() != VERSION || w.header() == null) {
            throw new SecurityException("envelope version " + w.version() + " is not " + VERSION + ": the sender runs another tokensiege version");
        }
        if (!box.verify(signedText(w.header(), w.body()), w.signature())) {
            throw new SecurityException("bad signature: the sender does not hold this cluster's token");
        }
        return new Opened(w.header(), w.body());
    }

    /**
     * The body without checking the signature — only for messages that grant nothing (a join refusal, a
     * hello to be refused), so the other side can be told why. Null when the wire is not an envelope.
     */
    public static String unverifiedBody(String wire) {
        try {
            return Json.MAPPER.readTree(wire).path("body").asText(null);
        } catch (Exception e) {
            return null;
        }
    }

    /** The header as sent, unverified (what an observer of the cluster sees); null when there is none. */
    public static Header unverifiedHeader(String wire) {
        try {
            JsonNode h = Json.MAPPER.readTree(wire).path("header");
            return h.isMissingNode() ? null : Json.MAPPER.treeToValue(h, Header.class);
        } catch (Exception e) {
            return null;
        }
    }

    /** Every signed field, each prefixed by its length, so no two different headers sign the same text. */
    static String signedText(Header h, String body) {
        StringBuilder sb = new StringBuilder("tokensiege-envelope-v").append(VERSION);
        for (String part : new String[] {h.from(), h.fromSession(), h.to(), h.toSession(), Long.toString(h.seq()), Long.toString(h.issuedMicros()),
                h.nonce(), body}) {
            String p = part == null ? "" : part;
            sb.append('|').append(p.getBytes(StandardCharsets.UTF_8).length).append(':').append(p);
        }
        return sb.toString();
    }

    record Wire(int version, Header header, String body, String signature) {}
}
