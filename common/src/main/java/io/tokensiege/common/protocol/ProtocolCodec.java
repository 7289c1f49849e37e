package io.tokensiege.common.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.tokensiege.common.json.Json;

/**
 * The one codec for wire messages: JSON (histograms as base64 of their compressed encoding).
 * {@link #PROTOCOL_VERSION} is checked when a worker joins.
 */
public final class ProtocolCodec {
    // 2: StartStep carries microseconds on the worker's clock. 3: envelopes carry a signed header (sessions, sequence,
    // issue time, nonce); joining is a hello, a challenge and its answer; workers acknowledge every command.
    // 4: trace replay (TraceChunk messages; StepSpec.replay). 5: a worker's records travel in RecordChunk messages before
    // its StepFinished (StepFinished.recordChunks), never in one message.
    public static final int PROTOCOL_VERSION = 8; // 8: a worker reports how late it sent scheduled arrivals

    private ProtocolCodec() {}

    public static String encode(Object message) {
        try {
            return Json.MAPPER.writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + message.getClass().getSimpleName(), e);
        }
    }

    public static ToWorker decodeToWorker(String json) {
        return decode(json, ToWorker.class);
    }

    public static ToCoordinator decodeToCoordinator(String json) {
        return decode(json, ToCoordinator.class);
    }

    private static <T> T decode(String json, Class<T> type) {
        try {
            return Json.MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("malformed " + type.getSimpleName() + " message: " + e.getOriginalMessage(), e);
        }
    }
}
