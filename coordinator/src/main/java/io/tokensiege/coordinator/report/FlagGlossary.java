package io.tokensiege.coordinator.report;

import static io.tokensiege.coordinator.report.Html.escape;

import io.tokensiege.common.analysis.Flag;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/** What each flag code means and what to do about it: report.html's legend, one entry ({@code #flag-<code>}) per code present. */
final class FlagGlossary {
    private static final Map<String, String> MEANING = Map.ofEntries(
            Map.entry(Flag.USAGE_MISMATCH, "The server's usage.completion_tokens and the token events counted on the stream differ by more than 10 %: one of them is wrong, and so is any rate computed from it."),
            Map.entry(Flag.USAGE_ABSURD, "The server claimed more tokens than max_tokens allows; its usage is not believed and the stream's events are counted instead."),
            Map.entry(Flag.DECODE_IMPLAUSIBLE, "A decode rate above the plausibility ceiling (defaults.max_plausible_decode_tok_s): usually tokens batched into few events, or a miscount."),
            Map.entry(Flag.TTFT_GT_E2E, "A TTFT longer than the whole request: impossible, a measurement bug."),
            Map.entry(Flag.BUFFERED, "More than 1 in 20 answers arrived all at once: their decode cannot be timed, and their TTFT is the whole answer's time. A proxy buffers the stream, or the server does not stream; measure the server directly."),
            Map.entry(Flag.REASONING_ONLY, "Output only in the reasoning channel: the model thought and never answered within max_tokens."),
            Map.entry(Flag.EMPTY, "Requests that ended without one generated token."),
            Map.entry(Flag.CANCELLED_AT_END, "Requests still running when the step's drain bound ran out were cancelled and left out: the step's tail is missing."),
            Map.entry(Flag.CLAMPED, "Values above the histogram's range (1 h) were clamped to it."),
            Map.entry(Flag.NO_USAGE, "The server sent no usage: output tokens are the count of token events (labelled counted), which can differ from its tokenizer."),
            Map.entry(Flag.NOTHING_MEASURED, "No measured request finished in the step: its duration was shorter than one request at this load."),
            Map.entry(Flag.DEGENERATE, "Answers that repeat one short pattern: the model is stuck in a loop, and its speed is not useful output."),
            Map.entry(Flag.NOT_SENT, "Open loop: arrivals were not sent because the in-flight cap was full; the achieved rate is below the requested one."),
            Map.entry(Flag.LOW_SAMPLE, "Fewer than 10 measured requests: percentiles from so few values are rough. Lengthen the step's duration."),
            Map.entry(Flag.FAILURE_FLOOD, "A worker stopped its share early: its first 1,000 requests all failed, most likely at once (a gateway's 429s or redirects). The step's errors say what the server answered."),
            Map.entry(Flag.CLIENT_BOUND, "The worker itself was saturated (event-loop delay or CPU) or sent scheduled arrivals late: its delays may show up as the server's. Add workers or lower the load per worker."),
            Map.entry(Flag.SERVER_DECODE_GAP, "The client's decode rates are more than 5 % from the server's own for the same requests (the median per request): the stream is buffered or batched on the way, or one side counts differently."),
            Map.entry(Flag.TTFT_BELOW_SERVER_PROMPT, "A TTFT shorter than the server's own prompt time: impossible, a measurement or clock bug."),
            Map.entry(Flag.PROMPT_SIZE_GAP, "The server counted a prompt size more than 10 % from the one asked for: a different tokenizer, or a truncated prompt."),
            Map.entry(Flag.MALFORMED_TOOL_CALLS, "Tool calls whose arguments are not a JSON object: an agent could not have run them."),
            Map.entry(Flag.TOOLS_IGNORED, "Turns that required a tool call got plain text: the server ignores tools, or its chat template cannot express them."));

    private FlagGlossary() {}

    static String meaning(String code) {
        return MEANING.getOrDefault(code, "See the flag's message below.");
    }

    /** The legend: each code present once, as {@code <dt id="flag-code">}. */
    static String legend(Collection<Flag> flags) {
        Set<String> codes = new LinkedHashSet<>();
        flags.forEach(f -> codes.add(f.code()));
        if (codes.isEmpty()) return "";
        StringBuilder sb = new StringBuilder("<h2 id=\"flag-legend\">⚑ Flags: what they mean</h2>\n<dl class=\"flag-legend\">");
        for (String code : codes) {
            sb.append("<dt id=\"").append(Anchors.flag(code)).append("\"><code>").append(escape(code)).append("</code></dt><dd>")
                    .append(escape(meaning(code))).append("</dd>");
        }
        return sb.append("</dl>\n").toString();
    }
}
