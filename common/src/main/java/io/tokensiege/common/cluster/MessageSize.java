package io.tokensiege.common.cluster;

import java.nio.charset.StandardCharsets;

/**
 * How big a cluster message may be and how big a piece of JSON is inside one. It lives below the protocol so that plan
 * and trace reading can refuse what could never be sent, before anything runs, without depending on the protocol.
 */
public final class MessageSize {
    /** No cluster message exceeds 1 MB; 16 KB of that is left for the envelope's header and signature. */
    public static final int MAX_WIRE_BYTES = (1 << 20) - (16 << 10);

    private MessageSize() {}

    /** UTF-8 bytes of {@code json} written as a JSON string inside the envelope: every quote and backslash gains one (it has no raw control characters). */
    public static long wireBytes(String json) {
        long escapes = 0;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c == '"' || c == '\\') escapes++;
        }
        return json.getBytes(StandardCharsets.UTF_8).length + escapes;
    }
}
