package io.tokensiege.coordinator.server;

import io.tokensiege.common.plan.Target;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The server's own Prometheus counters ({@code /metrics}: llama.cpp with {@code --metrics} exposes
 * {@code llamacpp:*}, vLLM {@code vllm:*}, SGLang {@code sglang:*}), read before and after each step so the
 * report can set the server's view of the step beside the client's: tokens it processed and generated, time
 * it spent, requests it deferred. Counters become deltas; gauges keep their value at the step's end.
 */
public final class ServerMetrics {
    static final int MAX_SERIES = 400;
    private static final Set<String> PREFIXES = Set.of("llamacpp:", "vllm:", "sglang:");

    private ServerMetrics() {}

    /**
     * One scrape: series (name with labels) to value, and which series are counters. Empty when not exposed;
     * {@code unanswered} when the server did not answer at all (no connection, or silent past the timeout).
     */
    public record Scrape(Map<String, Double> values, Set<String> counters, boolean unanswered) {
        public static final Scrape NONE = new Scrape(Map.of(), Set.of(), false);
        static final Scrape UNANSWERED = new Scrape(Map.of(), Set.of(), true);

        public boolean isEmpty() {
            return values.isEmpty();
        }
    }

    public static Scrape scrape(Target target) {
        ServerHttp.Reply r = new ServerHttp(target).get("/metrics");
        return r.ok() ? parse(r.body()) : r.unanswered() ? Scrape.UNANSWERED : Scrape.NONE;
    }

    /** Prometheus text format, the series of inference servers only, at most {@link #MAX_SERIES}. */
    static Scrape parse(String text) {
        Map<String, Double> values = new LinkedHashMap<>();
        Set<String> counters = new java.util.HashSet<>();
        for (String line : text.split("\n")) {
            line = line.trim();
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.split("\\s+");
                if (parts.length >= 4 && (parts[3].equals("counter") || parts[3].equals("histogram") || parts[3].equals("summary"))) counters.add(parts[2]);
                continue;
            }
            if (line.isEmpty() || line.startsWith("#") || PREFIXES.stream().noneMatch(line::startsWith)) continue;
            // "name{labels} value [timestamp]" or "name value [timestamp]"
            int close = line.indexOf('}');
            String series = close > 0 ? line.substring(0, close + 1) : line.split("\\s+")[0];
            String[] rest = line.substring(series.length()).trim().split("\\s+");
            if (rest.length == 0 || rest[0].isEmpty()) continue;
            String value = rest[0];
            try {
                if (values.size() < MAX_SERIES) values.put(series, Double.parseDouble(value));
            } catch (NumberFormatException notANumber) {
                // a malformed line tells nothing
            }
        }
        return new Scrape(values, counters, false);
    }

    /**
     * Counter series: after minus before; other series: their value after. Series missing before count from 0, and so
     * does a counter that fell: the server restarted and reset it (Prometheus' rate() reads a fall the same way), never a
     * negative count of tokens.
     */
    public static Map<String, Double> delta(Scrape before, Scrape after) {
        Map<String, Double> out = new LinkedHashMap<>();
        after.values().forEach((series, value) -> {
            String family = series.contains("{") ? series.substring(0, series.indexOf('{')) : series;
            boolean counter = after.counters().contains(family) || family.endsWith("_total") || family.endsWith("_sum") || family.endsWith("_count")
                    || family.endsWith("_bucket") || after.counters().stream().anyMatch(c -> family.startsWith(c + "_"));
            double was = before.values().getOrDefault(series, 0.0);
            out.put(series, counter ? (value < was ? value : value - was) : value);
        });
        return out;
    }
}
