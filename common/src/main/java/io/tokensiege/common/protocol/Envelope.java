package io.tokensiege.common.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.common.json.Json;

/**
 * A wire message with its HMAC-SHA256 signature under the cluster token. A receiver refuses anything
 * unsigned or signed with another token, so a worker on the LAN obeys only its own coordinator.
 */
public final class Envelope {
    private Envelope() {}

    public static String seal(SecretBox box, Object message) {
        String body = ProtocolCodec.encode(message);
        return Json.write(new Signed(body, box.sign(body)));
    }

    /** The verified body, or a SecurityException naming what is wrong. */
    public static String open(SecretBox box, String wire) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(wire);
        } catch (Exception e) {
            throw new SecurityException("not a tokensiege envelope");
        }
        String body = node.path("body").asText(null);
        String sig = node.path("signature").asText(null);
        if (body == null || sig == null) throw new SecurityException("unsigned message");
        if (!box.verify(body, sig)) throw new SecurityException("bad signature: the sender does not hold this cluster's token");
        return body;
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

    record Signed(String body, String signature) {}
}
