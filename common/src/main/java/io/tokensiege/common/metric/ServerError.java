package io.tokensiege.common.metric;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.common.json.Json;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a server said when it refused or broke a request, read from the shapes real servers use:
 * OpenAI and llama.cpp ({@code {"error":{"message","type","code",...}}}, llama.cpp adding
 * {@code n_prompt_tokens} and {@code n_ctx}), vLLM ({@code {"object":"error","message","type","code"}}),
 * Ollama ({@code {"error":"..."}}) or plain text. {@link #reason()} is the short form shown in tables,
 * e.g. {@code exceed_context_size (7,868 > 4,096 tokens)}.
 */
public record ServerError(String type, String code, String message, Integer promptTokens, Integer contextTokens) {
    static final int MESSAGE_CHARS = 300;
    static final int REASON_MESSAGE_CHARS = 80;
    /** vLLM and OpenAI put the numbers in the message only. */
    private static final Pattern CONTEXT_NUMBERS = Pattern.compile(
            "maximum context length is (\\d+) tokens.*?(?:requested|resulted in) (\\d+) tokens", Pattern.CASE_INSENSITIVE | Pattern.DOTALL);
    private static final Pattern GENERIC = Pattern.compile("(?i)(bad ?request|invalid_request|server|internal_server|api)?[ _]?error");
    private static final Pattern LLAMA_NUMBERS = Pattern.compile("request \\((\\d+) tokens\\) exceeds the available context size \\((\\d+) tokens\\)");

    /** Reads an error body (already redacted and bounded by the caller); never throws. */
    public static ServerError parse(String body) {
        String text = body == null ? "" : body.trim();
        JsonNode root = null;
        try {
            if (text.startsWith("{")) root = Json.MAPPER.readTree(text);
        } catch (Exception notJson) {
            // a truncated or non-JSON body: kept as plain text
        }
        if (root == null || !root.isObject()) return withNumbers(null, null, oneLine(text), null, null);
        JsonNode err = root.get("error");
        if (err != null && err.isTextual()) return withNumbers(null, null, err.asText(), null, null); // Ollama
        JsonNode src = err != null && err.isObject() ? err : root; // vLLM puts the fields at the top
        return withNumbers(textOf(src.get("type")), textOf(src.get("code")), textOf(src.get("message")),
                intOf(src.get("n_prompt_tokens")), intOf(src.get("n_ctx")));
    }

    private static ServerError withNumbers(String type, String code, String message, Integer prompt, Integer context) {
        String m = message == null ? "" : oneLine(message);
        if (prompt == null || context == null) {
            Matcher llama = LLAMA_NUMBERS.matcher(m);
            Matcher openai = CONTEXT_NUMBERS.matcher(m);
            if (llama.find()) {
                prompt = Integer.valueOf(llama.group(1));
                context = Integer.valueOf(llama.group(2));
            } else if (openai.find()) {
                context = Integer.valueOf(openai.group(1));
                prompt = Integer.valueOf(openai.group(2));
            }
        }
        return new ServerError(type, code, shorten(m, MESSAGE_CHARS), prompt, context);
    }

    /** The short form for tables: the server's own error name, and the numbers when it gave them. */
    public String reason() {
        String name = name();
        if (promptTokens != null && contextTokens != null) {
            return String.format(Locale.ROOT, "%s (%,d > %,d tokens)", name == null ? "context exceeded" : name, promptTokens, contextTokens);
        }
        String msg = shorten(message, REASON_MESSAGE_CHARS);
        if (name == null) return msg.isEmpty() ? "no message" : msg;
        return msg.isEmpty() ? name : name + ": " + msg;
    }

    /** The detail kept per request: everything the server said that helps, one line. */
    public String detail() {
        StringBuilder sb = new StringBuilder();
        if (type != null) sb.append(type);
        if (code != null && !code.equals(type)) sb.append(sb.isEmpty() ? "" : " ").append("(").append(code).append(")");
        if (!message.isEmpty()) sb.append(sb.isEmpty() ? "" : ": ").append(message);
        return sb.toString();
    }

    /** The server's name for the error when it says more than "bad request" or "server error"; else null (the message tells). */
    private String name() {
        String n = type != null && !type.isBlank() && !GENERIC.matcher(type).matches() ? type
                : code != null && !code.isBlank() && !code.matches("\\d+") ? code : null;
        if (n == null) return null;
        return n.endsWith("_error") ? n.substring(0, n.length() - "_error".length()) : n;
    }

    private static String textOf(JsonNode n) {
        return n == null || n.isNull() ? null : n.asText();
    }

    private static Integer intOf(JsonNode n) {
        return n != null && n.canConvertToInt() ? n.asInt() : null;
    }

    static String oneLine(String s) {
        return s.replaceAll("\\s+", " ").trim();
    }

    static String shorten(String s, int max) {
        return s.length() > max ? s.substring(0, max - 3) + "..." : s;
    }
}
