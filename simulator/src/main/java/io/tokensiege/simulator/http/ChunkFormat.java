package io.tokensiege.simulator.http;

import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The bytes of one chat-completions answer, in the style of the profile's server: the SSE chunks of a streamed
 * one (role, token, tool-call, malformed, error and end chunks) and the JSON body of one not streamed.
 */
final class ChunkFormat {
    // The hot path builds each token chunk from these pieces: no String, no JSON work per token.
    private static final byte[] DELTA_OPEN = ascii("{\"index\":0,\"delta\":{");
    private static final byte[] CONTENT_KEY = ascii("\"content\":");
    private static final byte[] OLLAMA_REASONING_KEY = ascii("\"content\":\"\",\"reasoning\":");
    private static final byte[] VLLM_REASONING_KEY = ascii("\"reasoning_content\":");
    private static final byte[] TOKEN_CLOSE = ascii("},\"finish_reason\":null}]}\n\n");
    /** llama.cpp's chat parser failure, sent inside a 200 stream. */
    static final String STREAM_ERROR_MESSAGE = "The model produced output that does not match the expected peg-native format";
    private static final String STREAM_ERROR_EVENT = "data: {\"error\":{\"code\":500,\"message\":\"" + STREAM_ERROR_MESSAGE
            + "\",\"type\":\"server_error\"}}\n\n";
    /** Quoted JSON bytes of each token text; the generator's vocabulary is small and fixed. */
    private static final Map<String, byte[]> QUOTED = new ConcurrentHashMap<>();

    private final long id;
    private final String model;
    private final StreamStyle style;
    private final String prefix;
    private final byte[] prefixBytes;
    private final byte[] reasoningKey;

    ChunkFormat(long id, String model, StreamStyle style) {
        this.id = id;
        this.model = model;
        this.style = style;
        this.prefix = "data: {\"id\":\"chatcmpl-sim-" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":"
                + System.currentTimeMillis() / 1000 + ",\"model\":" + Json.quote(model) + ",\"choices\":[";
        this.prefixBytes = prefix.getBytes(StandardCharsets.UTF_8);
        this.reasoningKey = "reasoning".equals(style.reasoningField()) ? OLLAMA_REASONING_KEY : VLLM_REASONING_KEY;
    }

    /** The first chunk: the assistant's role, with empty (or, for llama.cpp, null) content. */
    String role() {
        return prefix + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":" + (style.roleContentNull() ? "null" : "\"\"")
                + "},\"finish_reason\":null}]}\n\n";
    }

    /** One token in {@code content}, or in the server's reasoning field. */
    Buffer token(String token, boolean reasoning) {
        byte[] quoted = QUOTED.computeIfAbsent(token, t -> Json.quote(t).getBytes(StandardCharsets.UTF_8));
        byte[] key = reasoning ? reasoningKey : CONTENT_KEY;
        return BufferInternal.buffer(Unpooled.wrappedBuffer(concat(prefixBytes, DELTA_OPEN, key, quoted, TOKEN_CLOSE)));
    }

    /** A token chunk cut short: the JSON never closes. */
    Buffer malformed(String token) {
        return Buffer.buffer(prefix + "{\"index\":0,\"delta\":{\"content\":\"" + token.trim() + "\n\n");
    }

    /** One token of a tool call: the call's id and name first, then its argument fragments. */
    Buffer toolCall(AnswerPlan plan, int index, String token) {
        return Buffer.buffer(prefix + "{\"index\":0,\"delta\":{\"tool_calls\":[" + toolCallDelta(plan, index, token) + "]},\"finish_reason\":null}]}\n\n");
    }

    private static String toolCallDelta(AnswerPlan plan, int index, String token) {
        if (index == plan.reasoningTokens()) {
            return "{\"index\":0,\"id\":" + Json.quote(plan.call().id()) + ",\"type\":\"function\",\"function\":{\"name\":" + Json.quote(token)
                    + ",\"arguments\":\"\"}}";
        }
        return "{\"index\":0,\"function\":{\"arguments\":" + Json.quote(token) + "}}";
    }

    /** The {@code finish_reason} chunk, the usage-only chunk when asked for, and {@code [DONE]}. */
    Buffer end(String finishReason, boolean includeUsage, String usage, String timings) {
        StringBuilder end = new StringBuilder(prefix).append("{\"index\":0,\"delta\":{},\"finish_reason\":\"").append(finishReason)
                .append("\"}]}\n\n");
        if (includeUsage) end.append(prefix).append("],\"usage\":").append(usage).append(timings).append("}\n\n");
        end.append("data: [DONE]\n\n");
        return Buffer.buffer(end.toString());
    }

    static Buffer streamErrorEvent() {
        return Buffer.buffer(STREAM_ERROR_EVENT);
    }

    /** The whole answer of a request not streamed. */
    String body(AnswerPlan plan, CharSequence content, CharSequence reasoning, String usage, String timings) {
        String reasoningPart = reasoning.isEmpty() ? "" : "," + Json.quote(style.reasoningField()) + ":" + Json.quote(reasoning.toString());
        return "{\"id\":\"chatcmpl-sim-" + id + "\",\"object\":\"chat.completion\",\"created\":"
                + System.currentTimeMillis() / 1000 + ",\"model\":" + Json.quote(model)
                + ",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\"," + messageBody(plan, content) + reasoningPart
                + "},\"finish_reason\":\"" + plan.finishReason() + "\"}],\"usage\":" + usage + timings + "}";
    }

    /** {@code "content":...} of a non-streamed answer, or {@code "content":null,"tool_calls":[...]} for a call. */
    private static String messageBody(AnswerPlan plan, CharSequence content) {
        if (!plan.callsTool()) return "\"content\":" + Json.quote(content.toString());
        return "\"content\":null,\"tool_calls\":[{\"id\":" + Json.quote(plan.call().id()) + ",\"type\":\"function\",\"function\":{\"name\":"
                + Json.quote(plan.call().name()) + ",\"arguments\":" + Json.quote(content.toString()) + "}}]";
    }

    static String usage(int promptTokens, int completion, int reasoningTokens, int cachedTokens) {
        String details = reasoningTokens > 0 ? ",\"completion_tokens_details\":{\"reasoning_tokens\":" + reasoningTokens + "}" : "";
        return "{\"prompt_tokens\":" + promptTokens + ",\"completion_tokens\":" + completion
                + ",\"total_tokens\":" + (promptTokens + completion)
                + ",\"prompt_tokens_details\":{\"cached_tokens\":" + cachedTokens + "}" + details + "}";
    }

    /** One array, wrapped without a copy: Vert.x's own buffers cost a metered allocation per token on this path. */
    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] p : parts) length += p.length;
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
