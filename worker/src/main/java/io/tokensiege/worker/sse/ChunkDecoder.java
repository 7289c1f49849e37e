package io.tokensiege.worker.sse;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;

/**
 * Decodes OpenAI chat-completion chunks with Jackson's streaming parser: {@code delta.content},
 * {@code delta.reasoning} (Ollama), {@code delta.reasoning_content} (vLLM, DeepSeek),
 * {@code delta.tool_calls}, {@code finish_reason}, {@code usage} (with cached and reasoning token
 * details), llama.cpp's {@code timings}, {@code id}, and in-stream {@code error} values (kept as JSON, at most
 * {@value ChunkObjects#ERROR_JSON_BYTES} bytes, by {@link ChunkObjects}). Everything else is skipped unread.
 *
 * <p>One decoder serves every response of an event loop (a lane), not one per response: an event is always a whole JSON
 * value, so between two events the parser is at its root whichever stream the next event comes from. Its one
 * non-blocking Jackson parser therefore learns the field names once (a parser per response decoded and added every
 * name again for each response). A malformed event gets a fresh parser, and so does every {@value #RECYCLE_BYTES}
 * bytes fed: the names a parser learns are bounded by what it read, so a server inventing new names cannot grow a
 * lane's memory without end. Text is read only when wanted: the {@code id} until the caller has it ({@link #wantId}),
 * and content text while the caller still wants some ({@link #wantContentText}) — counting characters needs no String.
 * Not thread-safe: one per event loop.
 */
public final class ChunkDecoder {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final byte[] DONE = "[DONE]".getBytes();
    static final int RECYCLE_BYTES = 4 << 20;

    private final ChunkInfo info = new ChunkInfo();
    private JsonParser parser;
    private long bytesFedToParser;
    private int parsersCreated;
    private boolean wantId = true;
    private boolean wantContentText = true;

    /** Whether the next events' {@code id} should be read (once the caller has one, it need not be). */
    public void wantId(boolean want) {
        this.wantId = want;
    }

    /** Whether the next events' content text should be kept in {@link ChunkInfo#contentText} (its length is always counted). */
    public void wantContentText(boolean want) {
        this.wantContentText = want;
    }

    private JsonParser parser() throws IOException {
        if (parser == null) {
            parser = FACTORY.createNonBlockingByteArrayParser();
            bytesFedToParser = 0;
            parsersCreated++;
        }
        return parser;
    }

    /** Parsers made so far (for tests: a fresh one after a malformed event and every {@value #RECYCLE_BYTES} bytes). */
    int parsersCreated() {
        return parsersCreated;
    }

    /** After a malformed event the parser's state is lost, and after many bytes its names are many: the next event gets a fresh one. */
    private void discardParser() {
        if (parser == null) return;
        try {
            parser.close();
        } catch (IOException ignored) {
            // closing a parser over a byte array
        }
        parser = null;
    }

    public ChunkInfo decode(byte[] data, int length) {
        return decode(data, 0, length);
    }

    public ChunkInfo decode(byte[] data, int offset, int length) {
        info.reset();
        if (isDone(data, offset, length)) {
            info.done = true;
            return info;
        }
        try {
            JsonParser p = parser();
            ((com.fasterxml.jackson.core.async.ByteArrayFeeder) p.getNonBlockingInputFeeder()).feedInput(data, offset, offset + length);
            if (p.nextToken() != JsonToken.START_OBJECT) return malformed("event data is not a JSON object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "id" -> info.id = wantId && value == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "choices" -> choices(p, value);
                    case "usage" -> ChunkObjects.usage(p, value, info);
                    case "timings" -> ChunkObjects.timings(p, value, info);
                    case "error" -> info.errorJson = ChunkObjects.errorJson(p, value);
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT) return malformed("unexpected JSON structure");
            if (p.nextToken() != JsonToken.NOT_AVAILABLE) return malformed("trailing data after the JSON object");
            bytesFedToParser += length;
            if (bytesFedToParser >= RECYCLE_BYTES) discardParser();
        } catch (IOException e) {
            String m = e.getMessage();
            return malformed("invalid JSON: " + (m == null ? "" : m.lines().findFirst().orElse("")));
        }
        return info;
    }

    private void choices(JsonParser p, JsonToken value) throws IOException {
        if (value != JsonToken.START_ARRAY) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                if (field.equals("delta") && v == JsonToken.START_OBJECT) delta(p);
                else if (field.equals("finish_reason") && v == JsonToken.VALUE_STRING) info.finishReason = p.getText();
                else p.skipChildren();
            }
        }
    }

    private void delta(JsonParser p) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "content" -> {
                    if (v == JsonToken.VALUE_STRING) {
                        int n = p.getTextLength();
                        info.contentChars += n;
                        if (n > 0 && wantContentText) info.contentText.append(p.getTextCharacters(), p.getTextOffset(), n);
                    }
                }
                case "reasoning", "reasoning_content" -> {
                    if (v == JsonToken.VALUE_STRING) info.reasoningChars += p.getTextLength();
                }
                case "tool_calls" -> {
                    if (v == JsonToken.START_ARRAY) {
                        while (p.nextToken() == JsonToken.START_OBJECT) ChunkObjects.toolCall(p, info);
                    } else {
                        p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
        }
    }


    private ChunkInfo malformed(String detail) {
        discardParser();
        info.malformed = true;
        info.malformedDetail = detail;
        return info;
    }

    private static boolean isDone(byte[] data, int offset, int length) {
        int start = offset;
        int end = offset + length;
        while (start < end && data[start] == ' ') start++;
        while (end > start && (data[end - 1] == ' ')) end--;
        if (end - start != DONE.length) return false;
        for (int i = 0; i < DONE.length; i++) if (data[start + i] != DONE[i]) return false;
        return true;
    }
}
