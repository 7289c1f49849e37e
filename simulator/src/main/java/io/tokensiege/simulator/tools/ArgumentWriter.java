package io.tokensiege.simulator.tools;

import io.tokensiege.simulator.engine.ToolSpec;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Writes a call's arguments: a JSON object with the tool's parameters (or {@code query} and {@code limit}
 * when its schema names none), whose first string parameter is filled with words until the text is about
 * {@code argumentTokens} tokens long, then split into that many fragments.
 *
 * <p>Worked example at 4 chars a token, 6 tokens, no schema: 24 characters are wanted;
 * {@code {"query":"weekly","limit":7}} (29) already has them, and is split into 6 fragments of 4 or 5.
 */
final class ArgumentWriter {
    private static final String[] WORDS = ("weekly report status team channel budget release notes customer invoice meeting agenda "
            + "summary latest open issues deploy staging incident review calendar owner ticket draft").split(" ");
    private static final List<ToolSpec.Param> DEFAULT_PARAMS = List.of(new ToolSpec.Param("query", "string"), new ToolSpec.Param("limit", "integer"));

    private ArgumentWriter() {}

    /** Valid JSON, or with {@code malformed} the same object cut before its last value (no closing brace). */
    static String write(ToolSpec tool, int argumentTokens, double charsPerToken, SplittableRandom random, boolean malformed) {
        List<ToolSpec.Param> params = tool.params().isEmpty() ? DEFAULT_PARAMS : tool.params();
        List<String> values = new ArrayList<>();
        int fill = -1;
        for (int i = 0; i < params.size(); i++) {
            String type = params.get(i).type();
            if (fill < 0 && type.equals("string")) fill = i;
            values.add(value(type, random));
        }
        int wanted = (int) Math.ceil(argumentTokens * charsPerToken);
        String json = object(params, values);
        if (fill >= 0) {
            StringBuilder words = new StringBuilder(WORDS[random.nextInt(WORDS.length)]);
            while (json.length() < wanted) {
                words.append(' ').append(WORDS[random.nextInt(WORDS.length)]);
                values.set(fill, quote(words.toString()));
                json = object(params, values);
            }
        }
        if (!malformed) return json;
        int colon = json.lastIndexOf(':');
        return colon < 0 ? "{\"" : json.substring(0, colon + 1);
    }

    /** {@code text} in {@code pieces} consecutive fragments of near-equal length (fewer when it is shorter). */
    static List<String> split(String text, int pieces) {
        int n = Math.max(1, Math.min(pieces, text.length()));
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(text.substring((int) ((long) i * text.length() / n), (int) ((long) (i + 1) * text.length() / n)));
        return out;
    }

    private static String value(String type, SplittableRandom random) {
        return switch (type) {
            case "integer", "number" -> Integer.toString(1 + random.nextInt(20));
            case "boolean" -> random.nextBoolean() ? "true" : "false";
            case "array" -> "[" + quote(WORDS[random.nextInt(WORDS.length)]) + "]";
            case "object" -> "{}";
            case "null" -> "null";
            default -> quote(WORDS[random.nextInt(WORDS.length)]);
        };
    }

    private static String object(List<ToolSpec.Param> params, List<String> values) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < params.size(); i++) sb.append(i > 0 ? "," : "").append(quote(params.get(i).name())).append(':').append(values.get(i));
        return sb.append('}').toString();
    }

    private static String quote(String s) {
        return '"' + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + '"';
    }
}
