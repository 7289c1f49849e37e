package io.tokensiege.common.metric;

/**
 * Every histogram metric tokensiege records, with its unit in the name. The definitions are
 * docs/design.md §3 and live in code in {@link RequestMetrics}; this enum is the one list of names.
 *
 * <p>Durations are recorded in microseconds (1 µs .. 1 h, 3 significant digits); the decode rate in
 * milli-tokens per second so that 43.25 tok/s keeps its decimals in an integer histogram.
 */
public enum Metric {
    TTFT_MICROS("ttft", "t_first - t_send"),
    TTFT_INTENDED_MICROS("ttft_intended", "t_first - t_intended (open loop: includes schedule lag)"),
    TTFA_MICROS("ttfa", "t_first_answer - t_send (first content or tool-call token, after reasoning)"),
    TTFB_MICROS("ttfb", "t_headers - t_send"),
    CONNECT_MICROS("connect", "time to open the new connection a request needed (requests on a reused connection record none)"),
    E2E_MICROS("e2e", "t_end - t_send"),
    TPOT_MICROS("tpot", "(t_decoded - t_first) / (output_tokens - 1); t_decoded = the last token event, or the finish_reason's for an unstreamed end token"),
    ITL_MICROS("itl", "gap between successive token-carrying events"),
    DECODE_RATE_MILLITOK_S("decode_rate", "(output_tokens - 1) / (t_decoded - t_first), x1000"),
    OUTPUT_TOKENS("output_tokens", "usage.completion_tokens, else token-carrying events (counted)");

    private final String key;
    private final String definition;

    Metric(String key, String definition) {
        this.key = key;
        this.definition = definition;
    }

    /** The short name used in files, tags and the CLI ({@code --metric ttft}). */
    public String key() {
        return key;
    }

    public String definition() {
        return definition;
    }

    public boolean isDuration() {
        return name().endsWith("_MICROS");
    }

    public static Metric byKey(String key) {
        for (Metric m : values()) if (m.key.equals(key)) return m;
        throw new IllegalArgumentException("unknown metric '" + key + "'; known: ttft, ttft_intended, ttfa, ttfb, connect, e2e, tpot, itl, decode_rate, output_tokens");
    }
}
