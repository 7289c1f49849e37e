package io.tokensiege.common.analysis;

/**
 * A result that cannot be physically right, or that needs a caveat, attached to a step and shown
 * loudly in the console and report — never silently printed as a plain number.
 */
public record Flag(String code, String stepId, String message) {
    public static final String USAGE_MISMATCH = "usage_vs_counted";
    public static final String USAGE_ABSURD = "usage_absurd";
    public static final String DECODE_IMPLAUSIBLE = "decode_implausible";
    public static final String TTFT_GT_E2E = "ttft_gt_e2e";
    public static final String BUFFERED = "buffered_answers";
    public static final String REASONING_ONLY = "reasoning_only";
    public static final String EMPTY = "empty_answers";
    public static final String CANCELLED_AT_END = "cancelled_at_end";
    public static final String CLAMPED = "clamped_values";
    public static final String NO_USAGE = "no_usage";
    public static final String NOTHING_MEASURED = "nothing_measured";
    public static final String DEGENERATE = "degenerate_answers";
    public static final String NOT_SENT = "not_sent";
    public static final String LOW_SAMPLE = "low_sample";
    public static final String CLIENT_BOUND = "client_bound";
    public static final String FAILURE_FLOOD = "failure_flood";
    public static final String SERVER_DECODE_GAP = "server_decode_gap";
    public static final String TTFT_BELOW_SERVER_PROMPT = "ttft_below_server_prompt_time";
    public static final String PROMPT_SIZE_GAP = "prompt_size_gap";
    public static final String MALFORMED_TOOL_CALLS = "malformed_tool_calls";
    public static final String TOOLS_IGNORED = "tools_ignored";
}
