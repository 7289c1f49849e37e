package io.tokensiege.worker.sse;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.tokensiege.common.json.Json;
import io.tokensiege.common.metric.RequestStamps;
import java.io.IOException;

/**
 * The objects of a chunk that come once or a few times per response, off the per-token path of {@link ChunkDecoder}:
 * {@code usage}, llama.cpp's {@code timings}, a {@code tool_calls} element and an in-stream {@code error}. Each reads
 * from the value the parser is on into {@link ChunkInfo}, skipping what it does not know.
 */
final class ChunkObjects {
    static final int ERROR_JSON_BYTES = 4096;

    private ChunkObjects() {}

    /**
     * One {@code tool_calls} element: {@code index}, {@code id}, {@code function.name}, {@code function.arguments}. It carries a
     * token only with a character of name or arguments: an element of an index alone, or of empty arguments, generated nothing.
     */
    static void toolCall(JsonParser p, ChunkInfo info) throws IOException {
        int index = 0;
        String id = null;
        String name = null;
        String arguments = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "index" -> index = Math.max(0, intOr(p, v));
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
        if ((name != null && !name.isEmpty()) || (arguments != null && !arguments.isEmpty())) info.toolCallParts++;
    }

    static void usage(JsonParser p, JsonToken value, ChunkInfo info) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "completion_tokens" -> info.usageCompletionTokens = completionCount(p, v);
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

    /** Most that a server's time (ms) or rate (tok/s) may be: a day, or a billion tokens a second, is none any server reported. */
    static final double MAX_BELIEVABLE = 1e8;

    /** A server's own time or rate: a number from 0 to {@link #MAX_BELIEVABLE}; else -1, as if absent (printed as the server's, it was 1e300). */
    private static double believable(JsonParser p, JsonToken v) throws IOException {
        if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) return -1;
        double d = p.getDoubleValue();
        return d >= 0 && d <= MAX_BELIEVABLE ? d : -1;
    }

    /** A count: a whole number from 0 to 2^31 - 1; else -1, as if absent (an optional figure no one can believe). */
    private static int intOr(JsonParser p, JsonToken v) throws IOException {
        return isCount(p, v) ? p.getIntValue() : -1;
    }

    /**
     * The completion tokens of a usage block: a number that is no count is kept as {@link RequestStamps#NOT_A_COUNT}, so
     * the request is flagged usage_absurd and counted from its events, neither failed as malformed nor taken as without usage.
     */
    private static int completionCount(JsonParser p, JsonToken v) throws IOException {
        if (isCount(p, v)) return p.getIntValue();
        return v == JsonToken.VALUE_NUMBER_INT || v == JsonToken.VALUE_NUMBER_FLOAT ? RequestStamps.NOT_A_COUNT : -1;
    }

    private static boolean isCount(JsonParser p, JsonToken v) throws IOException {
        return v == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT && p.getIntValue() >= 0;
    }

    /** The error value (an object, usually) as JSON, wrapped as {@code {"error":...}}, at most {@value #ERROR_JSON_BYTES} characters. */
    static String errorJson(JsonParser p, JsonToken v) throws IOException {
        String value = v == JsonToken.VALUE_STRING ? Json.write(p.getText())
                : v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY ? Json.MAPPER.readTree(p).toString() : "\"error\"";
        if (value.length() > ERROR_JSON_BYTES) value = value.substring(0, ERROR_JSON_BYTES); // ServerError reads a cut one as text
        return "{\"error\":" + value + "}";
    }

    static void timings(JsonParser p, JsonToken value, ChunkInfo info) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        info.hasTimings = true;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            switch (field) {
                case "prompt_n" -> info.timingsPromptN = intOr(p, v);
                case "cache_n" -> info.timingsCacheN = intOr(p, v);
                case "predicted_n" -> info.timingsPredictedN = intOr(p, v);
                case "prompt_ms" -> info.timingsPromptMs = believable(p, v);
                case "predicted_ms" -> info.timingsPredictedMs = believable(p, v);
                case "predicted_per_second" -> info.timingsPredictedPerSecond = believable(p, v);
                default -> p.skipChildren();
            }
        }
    }
}
