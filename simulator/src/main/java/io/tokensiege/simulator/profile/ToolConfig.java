package io.tokensiege.simulator.profile;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * What a simulated server does with a request's {@code tools}.
 *
 * <p>Worked example ({@code call_share: 0.5, argument_tokens: 24}): about half of the requests that offer
 * tools (with {@code tool_choice} "auto", the last message not a tool result) are answered with one call:
 * a first delta naming the function, then 24 argument fragments, one per decode step, so the answer is
 * 25 tokens (plus any reasoning) and ends with {@code finish_reason: "tool_calls"}.
 *
 * @param support        native: answers with tool calls; ignore: tools are dropped (neither rendered nor
 *                       counted) and the answer is content; reject: 400 saying the server does not support tools
 * @param callShare      share of eligible "auto" requests answered with a call, drawn from a hash of the
 *                       prompt and the profile seed ("required" or a named function always calls)
 * @param malformedShare share of calls whose arguments are not valid JSON (a truncated object)
 * @param argumentTokens argument fragments of a call, one per decode step (the arguments' length in tokens, about)
 */
public record ToolConfig(Support support, double callShare, double malformedShare, int argumentTokens) {
    /** What every profile did before tool support: tools were neither parsed nor rendered. */
    public static final ToolConfig IGNORE = new ToolConfig(Support.IGNORE, 0, 0, 24);

    public enum Support {
        NATIVE, IGNORE, REJECT;

        @JsonValue
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        @JsonCreator
        public static Support of(String label) {
            for (Support s : values()) if (s.label().equals(label)) return s;
            throw new IllegalArgumentException("tools.support '" + label + "' is not one of: native, ignore, reject");
        }
    }

    public ToolConfig {
        if (support == null) throw new IllegalArgumentException("tools.support is required: native, ignore or reject");
        if (!(callShare >= 0 && callShare <= 1)) throw new IllegalArgumentException("tools.call_share must be between 0 and 1, not " + callShare);
        if (!(malformedShare >= 0 && malformedShare <= 1)) {
            throw new IllegalArgumentException("tools.malformed_share must be between 0 and 1, not " + malformedShare);
        }
        if (argumentTokens < 1 || argumentTokens > 4096) {
            throw new IllegalArgumentException("tools.argument_tokens must be between 1 and 4096, not " + argumentTokens);
        }
    }
}
