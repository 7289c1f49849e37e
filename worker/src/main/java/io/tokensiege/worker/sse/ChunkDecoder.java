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
 * {@value #ERROR_JSON_BYTES} bytes). Everything else is skipped unread.
 *
 * <p>Keeps at most {@code sampleChars} characters of content text, for answer-sanity checks.
 */
public final class ChunkDecoder {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final byte[] DONE = "[DONE]".getBytes();
    static final int ERROR_JSON_BYTES = 4096;

    private final ChunkInfo info = new ChunkInfo();
    private final int sampleChars;

    public ChunkDecoder(int sampleChars) {
        this.sampleChars = sampleChars;
    }

    public ChunkInfo decode(byte[] data, int length) {
        info.reset();
        if (isDone(data, length)) {
            info.done = true;
            return info;
        }
        try (JsonParser p = FACTORY.createParser(data, 0, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) return malformed("event data is not a JSON object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "id" -> info.id = value == JsonToken.VALUE_STRING ? p.getText() : null;
                    case "choices" -> choices(p, value);
                    case "usage" -> usage(p, value);
                    case "timings" -> timings(p, value);
                    case "error" -> info.errorJson = errorJson(p, value, data);
                    default -> p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT) return malformed("unexpected JSON structure");
            if (p.nextToken() != null) return malformed("trailing data after the JSON object");
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
                        if (n > 0 && info.contentText.length() < sampleChars) info.contentText.append(p.getText());
                    }
                }
                case "reasoning", "reasoning_content" -> {
                    if (v == JsonToken.VALUE_STRING) info.reasoningChars += p.getTextLength();
                }
                case "tool_calls" -> {
                    if (v == JsonToken.START_ARRAY) {
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            info.toolCallParts++;
                            toolCall(p);
                        }
                    } else {
                        p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
        }
    }

    /** One {@code tool_calls} element: {@code index}, {@code id}, {@code function.name}, {@code function.arguments}. */
    private void toolCall(JsonParser p) throws IOException {
        int index = 0;
        String id = null;
        String name = null;
        String arguments = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "index" -> index = v == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : 0;
                case "id" -> id = v == JsonToken.VALUE_STRING ? p.getText() : null;
                case "function" -> {
                    if (v != JsonToken.START_OBJECT) {
                        p.skipChildren();
                        continue;
                    }
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String f = p.currentName();
                        JsonToken fv = p.nextToken();
                        if (f.equals("name") && fv == JsonToken.VALUE_STRING) name = p.getText();
                        else if (f.equals("arguments") && fv == JsonToken.VALUE_STRING) arguments = p.getText();
                        else p.skipChildren();
                    }
                }
                default -> p.skipChildren();
            }
        }
        info.toolCalls.add(new ChunkInfo.ToolCallDelta(index, id, name, arguments));
    }

    private void usage(JsonParser p, JsonToken value) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "completion_tokens" -> info.usageCompletionTokens = intOr(p, v);
                case "prompt_tokens" -> info.usagePromptTokens = intOr(p, v);
                case "prompt_tokens_details" -> info.usageCachedTokens = nestedInt(p, v, "cached_tokens", info.usageCachedTokens);
                case "completion_tokens_details" -> info.usageReasoningTokens = nestedInt(p, v, "reasoning_tokens", info.usageReasoningTokens);
                default -> p.skipChildren();
            }
        }
    }

    private static int nestedInt(JsonParser p, JsonToken v, String wanted, int fallback) throws IOException {
        if (v != JsonToken.START_OBJECT) {
            p.skipChildren();
            return fallback;
        }
        int result = fallback;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken t = p.nextToken();
            if (f.equals(wanted)) result = intOr(p, t);
            else p.skipChildren();
        }
        return result;
    }

    private static int intOr(JsonParser p, JsonToken v) throws IOException {
        return v == JsonToken.VALUE_NUMBER_INT ? p.getIntValue() : -1;
    }

    /** The error value's own bytes (an object, usually), wrapped as {@code {"error":...}}. */
    private static String errorJson(JsonParser p, JsonToken v, byte[] data) throws IOException {
        if (v == JsonToken.VALUE_STRING) return "{\"error\":" + io.tokensiege.common.json.Json.write(p.getText()) + "}";
        long start = p.currentTokenLocation().getByteOffset();
        p.skipChildren();
        long end = p.currentLocation().getByteOffset();
        if (start < 0 || end <= start || end > data.length) return "{\"error\":\"error\"}";
        int length = (int) Math.min(end - start, ERROR_JSON_BYTES);
        return "{\"error\":" + new String(data, (int) start, length, java.nio.charset.StandardCharsets.UTF_8) + "}";
    }

    private void timings(JsonParser p, JsonToken value) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        info.hasTimings = true;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            boolean number = v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT;
            switch (field) {
                case "prompt_n" -> info.timingsPromptN = intOr(p, v);
                case "cache_n" -> info.timingsCacheN = intOr(p, v);
                case "predicted_n" -> info.timingsPredictedN = intOr(p, v);
                case "prompt_ms" -> info.timingsPromptMs = number ? p.getDoubleValue() : -1;
                case "predicted_ms" -> info.timingsPredictedMs = number ? p.getDoubleValue() : -1;
                case "predicted_per_second" -> info.timingsPredictedPerSecond = number ? p.getDoubleValue() : -1;
                default -> p.skipChildren();
            }
        }
    }

    private ChunkInfo malformed(String detail) {
        info.malformed = true;
        info.malformedDetail = detail;
        return info;
    }

    private static boolean isDone(byte[] data, int length) {
        int start = 0;
        int end = length;
        while (start < end && data[start] == ' ') start++;
        while (end > start && (data[end - 1] == ' ')) end--;
        if (end - start != DONE.length) return false;
        for (int i = 0; i < DONE.length; i++) if (data[start + i] != DONE[i]) return false;
        return true;
    }
}
