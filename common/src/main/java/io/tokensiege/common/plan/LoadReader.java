package io.tokensiege.common.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads a scenario's {@code load}: exactly one of {@code concurrency} (closed loop), {@code rate} (open loop) or
 * {@code sessions} (agents), with the keys that go with each. Defaults are {@link Scenario.Load}'s constants.
 * Mistakes are recorded with their place.
 */
final class LoadReader {
    private static final List<String> KEYS = List.of("concurrency", "rate", "sessions", "arrival", "burstiness", "max_in_flight", "duration",
            "requests_per_stream", "think_time", "think", "start", "until_collapse", "refine", "refine_steps");

    private final Fields fields;

    LoadReader(Fields fields) {
        this.fields = fields;
    }

    /** @param trace the load of a trace replay: at concurrency levels, once through the trace or (with a duration) round and round */
    Scenario.Load read(YNode n, boolean trace) {
        fields.keys(n, KEYS.toArray(String[]::new));
        YNode c = n.get("concurrency");
        YNode r = n.get("rate");
        YNode sn = n.get("sessions");
        if ((c == null ? 0 : 1) + (r == null ? 0 : 1) + (sn == null ? 0 : 1) != 1) {
            fields.error(n, "load needs exactly one of concurrency (closed loop, e.g. [1, 4, 8, 16]), rate (open loop, requests per second,"
                    + " e.g. [0.5, 1, 2]) or sessions (agents, with a prefix scenario, e.g. [1, 2, 4, 8])", null);
        }
        List<Integer> levels = wholeLevels(c, "concurrency", "concurrency", 100_000, "e.g. [1, 4, 8, 16]");
        List<Integer> sessions = wholeLevels(sn, "sessions", "session", 10_000, "e.g. [1, 2, 4, 8]");
        List<Double> rates = rates(r);
        refuseKeysOfOtherLoops(n, r != null, sn != null);
        String think = oneOf(n, "think", Scenario.Load.THINKS);
        String start = oneOf(n, "start", Scenario.Load.STARTS);
        String arrival = oneOf(n, "arrival", Scenario.Load.ARRIVALS);
        boolean hasDuration = n.get("duration") != null;
        boolean hasRequests = n.get("requests_per_stream") != null;
        if (trace && hasRequests) fields.error(n.get("requests_per_stream"), "a trace's streams share its records", "without a duration each level replays the trace once");
        else if (!trace && r == null && sn == null && hasDuration == hasRequests) fields.error(n, "load needs exactly one of duration (e.g. 60s) or requests_per_stream", null);
        if (r != null && !hasDuration) fields.error(n, "an open loop needs a duration (e.g. 60s)", null);
        return new Scenario.Load(levels, rates, arrival, fields.number(n, "burstiness", Scenario.Load.DEFAULT_BURSTINESS, 0.01, 100),
                (int) fields.integer(n, "max_in_flight", Scenario.Load.DEFAULT_MAX_IN_FLIGHT, 1, 100_000), fields.duration(n, "duration", 0, 1),
                (int) fields.integer(n, "requests_per_stream", 0, 1, 1_000_000), fields.duration(n, "think_time", 0, 0), fields.bool(n, "until_collapse", false),
                fields.bool(n, "refine", false) ? (int) fields.integer(n, "refine_steps", Scenario.Load.DEFAULT_REFINE_STEPS, 1, 10) : 0, sessions, think,
                start.equals("staggered"));
    }

    /** Keys that belong to another kind of load are mistakes, not silently ignored. */
    private void refuseKeysOfOtherLoops(YNode n, boolean open, boolean sessions) {
        if (sessions) {
            // Without a duration each session holds one conversation of the scenario's turns.
            if (n.get("requests_per_stream") != null) fields.error(n.get("requests_per_stream"), "sessions run for a duration, or one conversation each without"
                    + " one; each session's turns come from 'turns'", null);
        } else {
            for (String sessionOnly : List.of("think", "start")) {
                if (n.get(sessionOnly) != null) fields.error(n.get(sessionOnly), sessionOnly + " is for agent sessions (sessions: ...)", null);
            }
        }
        if (open) {
            if (n.get("requests_per_stream") != null) fields.error(n.get("requests_per_stream"), "requests_per_stream is for closed loop; an open loop runs for a duration", null);
            if (n.get("think_time") != null) fields.error(n.get("think_time"), "think_time is for closed loop; an open loop's arrivals are independent of answers", null);
        } else {
            for (String openOnly : List.of("arrival", "burstiness", "max_in_flight")) {
                if (n.get(openOnly) != null) fields.error(n.get(openOnly), openOnly + " is for open loop (rate: ...)", null);
            }
        }
    }

    /** The value of {@code key} among {@code allowed}; the first of them when absent. */
    private String oneOf(YNode n, String key, List<String> allowed) {
        String value = fields.string(n, key, false);
        if (value == null) return allowed.get(0);
        if (!allowed.contains(value)) fields.error(n.get(key), key + " must be " + String.join(", ", allowed.subList(0, allowed.size() - 1)) + " or "
                + allowed.get(allowed.size() - 1), Typos.hint(value, allowed));
        return value;
    }

    /** Increasing whole-number levels from 1 to {@code max} (streams or sessions); empty when {@code n} is absent. */
    private List<Integer> wholeLevels(YNode n, String key, String what, long max, String example) {
        List<Integer> out = new ArrayList<>();
        readLevels(n, key, example, item -> {
            if (!(item.scalar instanceof Long v) || v < 1 || v > max) {
                fields.error(item, "a " + what + " level must be a whole number from 1 to " + max + ", not " + item.describe(),
                        Fields.leadingZeroHint(item) != null ? Fields.leadingZeroHint(item) : example);
                return;
            }
            if (!out.isEmpty() && v <= out.get(out.size() - 1)) fields.error(item, what + " levels must increase", example);
            out.add(v.intValue());
        });
        return out;
    }

    private List<Double> rates(YNode n) {
        List<Double> out = new ArrayList<>();
        String example = "e.g. [0.5, 1, 2, 4]";
        readLevels(n, "rate", example, item -> {
            if (!(item.scalar instanceof Number v) || v.doubleValue() <= 0 || v.doubleValue() > 100_000) {
                fields.error(item, "a rate must be a positive number of requests per second, not " + item.describe(), example);
                return;
            }
            if (!out.isEmpty() && v.doubleValue() <= out.get(out.size() - 1)) fields.error(item, "rates must increase", example);
            out.add(v.doubleValue());
        });
        return out;
    }

    /** Hands each level of a list (or a single value) to {@code level}; at most {@link PlanReader#MAX_LEVELS}, never empty. */
    private void readLevels(YNode n, String key, String example, Consumer<YNode> level) {
        if (n == null) return;
        if (n.items.size() > PlanReader.MAX_LEVELS) {
            fields.error(n, "a sweep has at most " + PlanReader.MAX_LEVELS + " levels, not " + n.items.size(), null);
            return;
        }
        for (YNode item : n.kind == YNode.Kind.LIST ? n.items : List.of(n)) level.accept(item);
        if (n.kind == YNode.Kind.LIST && n.items.isEmpty()) fields.error(n, key + " list is empty", example);
    }
}
