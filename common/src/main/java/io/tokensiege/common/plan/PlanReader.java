package io.tokensiege.common.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Parses and validates a plan before anything runs. Collects every error with file, line, column
 * and field path, and a hint (an unknown key suggests the nearest valid one).
 */
public final class PlanReader {
    public static final List<String> BUILT_IN = List.of("agent-serving", "smoke");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern ENV = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

    private final String file;
    private final List<PlanError> errors = new ArrayList<>();

    private PlanReader(String file) {
        this.file = file;
    }

    /** Reads a plan file, or a built-in plan when {@code ref} names one (see {@link #BUILT_IN}). */
    public static Plan load(String ref) throws PlanException {
        if (BUILT_IN.contains(ref)) return parse(builtInText(ref), "builtin:" + ref);
        Path path = Path.of(ref);
        try {
            return parse(Files.readString(path, StandardCharsets.UTF_8), ref);
        } catch (NoSuchFileException e) {
            throw new PlanException(List.of(new PlanError(ref, 0, 0, "", "plan file not found",
                    "give a path to a YAML plan, or a built-in plan name: " + String.join(", ", BUILT_IN))));
        } catch (IOException e) {
            throw new PlanException(List.of(new PlanError(ref, 0, 0, "", "cannot read plan file: " + e.getMessage(), null)));
        }
    }

    public static String builtInText(String name) {
        try (InputStream in = PlanReader.class.getResourceAsStream("/plans/" + name + ".yaml")) {
            if (in == null) throw new IllegalArgumentException("no built-in plan '" + name + "'");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Plan parse(String text, String file) throws PlanException {
        PlanReader reader = new PlanReader(file);
        YNode root;
        try {
            root = YamlTreeReader.read(text);
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            throw new PlanException(List.of(new PlanError(file, loc == null ? 0 : loc.getLineNr(), loc == null ? 0 : loc.getColumnNr(), "",
                    "not valid YAML: " + e.getOriginalMessage(), "check indentation and quoting near this line")));
        } catch (IOException e) {
            throw new PlanException(List.of(new PlanError(file, 0, 0, "", "cannot parse: " + e.getMessage(), null)));
        }
        Plan plan = reader.plan(root, text);
        if (!reader.errors.isEmpty()) throw new PlanException(reader.errors);
        return plan;
    }

    // ---- the schema, top-down -------------------------------------------------------------

    private Plan plan(YNode root, String text) {
        if (root.kind != YNode.Kind.MAP) {
            error(root, "a plan must be a mapping with name, targets and scenarios", "see the example in README.md");
            return null;
        }
        keys(root, "name", "description", "targets", "defaults", "scenarios", "slo", "seed");
        String name = name(root, "name", true);
        Defaults defaults = defaults(root.get("defaults"));
        List<Target> targets = new ArrayList<>();
        Set<String> targetNames = new HashSet<>();
        for (YNode t : list(root, "targets", true)) {
            Target target = target(t);
            if (target != null && !targetNames.add(target.name())) error(t.get("name"), "duplicate target name '" + target.name() + "'", "give each target its own name");
            targets.add(target);
        }
        List<Scenario> scenarios = new ArrayList<>();
        Set<String> scenarioNames = new HashSet<>();
        for (YNode s : list(root, "scenarios", true)) {
            Scenario scenario = scenario(s, defaults);
            if (scenario != null && !scenarioNames.add(scenario.name())) error(s.get("name"), "duplicate scenario name '" + scenario.name() + "'", "give each scenario its own name");
            scenarios.add(scenario);
        }
        Slo slo = slo(root.get("slo"));
        long seed = integer(root, "seed", 1, 0, Long.MAX_VALUE);
        return new Plan(name, text, targets, defaults, scenarios, slo, seed);
    }

    private Defaults defaults(YNode n) {
        Defaults d = Defaults.DEFAULT;
        if (n == null) return d;
        if (!isMap(n)) return d;
        keys(n, "temperature", "warmup", "max_tokens", "ramp", "timeouts", "max_plausible_decode_tok_s", "repeat");
        Timeouts t = d.timeouts();
        YNode tn = n.get("timeouts");
        if (tn != null && isMap(tn)) {
            keys(tn, "connect", "first_token", "idle", "total");
            t = new Timeouts(duration(tn, "connect", t.connectMillis()), duration(tn, "first_token", t.firstTokenMillis()),
                    duration(tn, "idle", t.idleMillis()), duration(tn, "total", t.totalMillis()));
        }
        return new Defaults(number(n, "temperature", d.temperature(), 0, 2), (int) integer(n, "warmup", d.warmup(), 0, 100),
                (int) integer(n, "max_tokens", d.maxTokens(), 1, 1_000_000), duration(n, "ramp", d.rampMillis()), t,
                number(n, "max_plausible_decode_tok_s", d.maxPlausibleDecodeTokS(), 1, 1e6), (int) integer(n, "repeat", d.repeat(), 1, 100));
    }

    private Target target(YNode n) {
        if (!isMap(n)) return null;
        keys(n, "name", "url", "model", "api_key_env", "headers", "extra_body", "simulated");
        String name = name(n, "name", true);
        String url = string(n, "url", false);
        YNode sim = n.get("simulated");
        if ((url == null) == (sim == null)) {
            error(n, "target '" + name + "' needs exactly one of 'url' (a real server) or 'simulated' (the built-in simulator)",
                    "e.g. url: \"http://m1max.lan:11434/v1\"  or  simulated: { profile: moe-35b-a3b }");
        }
        if (url != null) {
            if (!url.startsWith("http://") && !url.startsWith("https://")) {
                error(n.get("url"), "url must start with http:// or https://", "the server's OpenAI base, e.g. http://localhost:8000/v1");
            }
            url = url.replaceFirst("/chat/completions/?$", "");
        }
        String model = string(n, "model", sim == null);
        String keyEnv = string(n, "api_key_env", false);
        if (keyEnv != null && !ENV.matcher(keyEnv).matches()) {
            error(n.get("api_key_env"), "api_key_env must name an environment variable, not hold a key", "e.g. api_key_env: OMLX_KEY, then export OMLX_KEY=...");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        YNode h = n.get("headers");
        if (h != null && isMap(h)) {
            h.fields.forEach((k, v) -> {
                if (k.equalsIgnoreCase("authorization") || k.equalsIgnoreCase("api-key") || k.equalsIgnoreCase("x-api-key")) {
                    error(v, "secrets are never written in plans (header '" + k + "')", "put the key in an environment variable and name it with api_key_env");
                } else if (v.kind != YNode.Kind.SCALAR) {
                    error(v, "a header value must be text", null);
                } else {
                    headers.put(k, String.valueOf(v.scalar));
                }
            });
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        YNode e = n.get("extra_body");
        if (e != null && isMap(e)) e.fields.forEach((k, v) -> extra.put(k, plain(v)));
        Target.Simulated simulated = null;
        if (sim != null && isMap(sim)) {
            keys(sim, "profile", "speed", "set");
            Map<String, Object> set = new LinkedHashMap<>();
            YNode s = sim.get("set");
            if (s != null && isMap(s)) s.fields.forEach((k, v) -> set.put(k, plain(v)));
            simulated = new Target.Simulated(string(sim, "profile", true), number(sim, "speed", 1, 0.01, 1000), set);
        }
        return new Target(name, url, model, keyEnv, headers, extra, simulated);
    }

    private Scenario scenario(YNode n, Defaults d) {
        if (!isMap(n)) return null;
        keys(n, "name", "prompt", "prefix", "turns", "requests", "max_tokens", "load", "repeat");
        String name = name(n, "name", true);
        YNode p = n.get("prompt");
        YNode x = n.get("prefix");
        if ((p == null) == (x == null)) {
            error(n, "scenario '" + name + "' needs exactly one of 'prompt' or 'prefix'",
                    "prompt: { tokens: 64, unique: true } for independent requests; prefix: { tokens: 10000 } with turns for an agent");
        }
        Scenario.Prompt prompt = null;
        if (p != null && isMap(p)) {
            keys(p, "tokens", "unique");
            prompt = new Scenario.Prompt((int) integer(p, "tokens", 64, 1, 1_000_000), bool(p, "unique", true));
        }
        Scenario.Prefix prefix = null;
        if (x != null && isMap(x)) {
            keys(x, "tokens", "parts");
            List<String> parts = new ArrayList<>();
            YNode pn = x.get("parts");
            if (pn == null) parts.addAll(Scenario.Prefix.PARTS);
            else if (pn.kind != YNode.Kind.LIST) error(pn, "parts must be a list", "e.g. parts: [role, tools, memory, history]");
            else for (YNode item : pn.items) {
                String part = String.valueOf(item.scalar);
                if (!Scenario.Prefix.PARTS.contains(part)) error(item, "unknown prefix part '" + part + "'", hint(part, Scenario.Prefix.PARTS));
                else parts.add(part);
            }
            prefix = new Scenario.Prefix((int) integer(x, "tokens", 2000, 16, 1_000_000), parts);
        }
        if (n.get("turns") != null && x == null) error(n.get("turns"), "turns only make sense with a prefix", "add prefix: { tokens: N }, or use requests: N");
        YNode ln = n.get("load");
        if (ln != null && n.get("requests") != null) error(n.get("requests"), "use either requests (one after another) or load (concurrent streams), not both", "inside load, say requests_per_stream: N");
        if (ln != null && x != null) error(ln, "a prefix scenario runs its turns one after another; load is for prompt scenarios", null);
        Scenario.Load load = ln != null && isMap(ln) ? load(ln) : null;
        return new Scenario(name, prompt, prefix, (int) integer(n, "turns", 5, 1, 1000), (int) integer(n, "requests", 5, 1, 1_000_000),
                (int) integer(n, "max_tokens", d.maxTokens(), 1, 1_000_000), load, (int) integer(n, "repeat", d.repeat(), 1, 100));
    }

    private Scenario.Load load(YNode n) {
        keys(n, "concurrency", "rate", "arrival", "burstiness", "max_in_flight", "duration", "requests_per_stream", "think_time", "until_collapse",
                "refine", "refine_steps");
        List<Integer> levels = new ArrayList<>();
        List<Double> rates = new ArrayList<>();
        YNode c = n.get("concurrency");
        YNode r = n.get("rate");
        if ((c == null) == (r == null)) {
            error(n, "load needs exactly one of concurrency (closed loop, e.g. [1, 4, 8, 16]) or rate (open loop, requests per second, e.g. [0.5, 1, 2])", null);
        }
        if (c != null) {
            for (YNode item : c.kind == YNode.Kind.LIST ? c.items : List.of(c)) {
                if (item.scalar instanceof Long v && v >= 1 && v <= 100_000) {
                    if (!levels.isEmpty() && v <= levels.get(levels.size() - 1)) error(item, "concurrency levels must increase", "e.g. [1, 4, 8, 16]");
                    levels.add(v.intValue());
                } else error(item, "a concurrency level must be a whole number from 1 to 100000, not " + item.describe(), "e.g. [1, 4, 8, 16]");
            }
            if (c.kind == YNode.Kind.LIST && c.items.isEmpty()) error(c, "concurrency list is empty", "e.g. [1, 4, 8, 16]");
        }
        if (r != null) {
            for (YNode item : r.kind == YNode.Kind.LIST ? r.items : List.of(r)) {
                if (item.scalar instanceof Number v && v.doubleValue() > 0 && v.doubleValue() <= 100_000) {
                    if (!rates.isEmpty() && v.doubleValue() <= rates.get(rates.size() - 1)) error(item, "rates must increase", "e.g. [0.5, 1, 2, 4]");
                    rates.add(v.doubleValue());
                } else error(item, "a rate must be a positive number of requests per second, not " + item.describe(), "e.g. [0.5, 1, 2, 4]");
            }
            if (r.kind == YNode.Kind.LIST && r.items.isEmpty()) error(r, "rate list is empty", "e.g. [0.5, 1, 2, 4]");
            if (n.get("requests_per_stream") != null) error(n.get("requests_per_stream"), "requests_per_stream is for closed loop; an open loop runs for a duration", null);
            if (n.get("think_time") != null) error(n.get("think_time"), "think_time is for closed loop; an open loop's arrivals are independent of answers", null);
        } else {
            for (String openOnly : List.of("arrival", "burstiness", "max_in_flight")) {
                if (n.get(openOnly) != null) error(n.get(openOnly), openOnly + " is for open loop (rate: ...)", null);
            }
        }
        String arrival = string(n, "arrival", false);
        if (arrival == null) arrival = "poisson";
        if (!List.of("poisson", "gamma", "constant").contains(arrival)) error(n.get("arrival"), "arrival must be poisson, gamma or constant", hint(arrival, List.of("poisson", "gamma", "constant")));
        boolean hasDuration = n.get("duration") != null;
        boolean hasRequests = n.get("requests_per_stream") != null;
        if (r == null && hasDuration == hasRequests) error(n, "load needs exactly one of duration (e.g. 60s) or requests_per_stream", null);
        if (r != null && !hasDuration) error(n, "an open loop needs a duration (e.g. 60s)", null);
        return new Scenario.Load(levels, rates, arrival, number(n, "burstiness", 1.0, 0.01, 100), (int) integer(n, "max_in_flight", 1000, 1, 100_000),
                duration(n, "duration", 0), (int) integer(n, "requests_per_stream", 0, 1, 1_000_000), duration(n, "think_time", 0), bool(n, "until_collapse", false),
                bool(n, "refine", false) ? (int) integer(n, "refine_steps", 3, 1, 10) : 0);
    }

    private Slo slo(YNode n) {
        if (n == null || !isMap(n)) return Slo.NONE;
        keys(n, "ttft_p50", "ttft_p95", "decode_p50_tok_s", "error_rate");
        return new Slo(n.get("ttft_p50") == null ? null : duration(n, "ttft_p50", 0), n.get("ttft_p95") == null ? null : duration(n, "ttft_p95", 0),
                n.get("decode_p50_tok_s") == null ? null : number(n, "decode_p50_tok_s", 0, 0, 1e6),
                n.get("error_rate") == null ? null : number(n, "error_rate", 0, 0, 1));
    }

    // ---- typed field access, each recording an error instead of throwing ------------------

    private void keys(YNode map, String... allowed) {
        List<String> valid = List.of(allowed);
        for (var e : map.keyLocations.entrySet()) {
            if (!valid.contains(e.getKey())) {
                int[] loc = e.getValue();
                String path = map.path.isEmpty() ? e.getKey() : map.path + "." + e.getKey();
                errors.add(new PlanError(file, loc[0], loc[1], path, "unknown key '" + e.getKey() + "'", hint(e.getKey(), valid)));
            }
        }
    }

    private List<YNode> list(YNode parent, String key, boolean required) {
        YNode n = parent.get(key);
        if (n == null) {
            if (required) error(parent, "missing '" + key + "'", "add a '" + key + ":' list");
            return List.of();
        }
        if (n.kind != YNode.Kind.LIST || n.items.isEmpty()) {
            error(n, "'" + key + "' must be a non-empty list, not " + n.describe(), null);
            return List.of();
        }
        return n.items;
    }

    private boolean isMap(YNode n) {
        if (n.kind == YNode.Kind.MAP) return true;
        error(n, "expected a mapping (key: value pairs), not " + n.describe(), null);
        return false;
    }

    private String string(YNode parent, String key, boolean required) {
        YNode n = parent.get(key);
        if (n == null || n.kind == YNode.Kind.NULL) {
            if (required) error(parent, "missing '" + key + "'", null);
            return null;
        }
        if (n.kind != YNode.Kind.SCALAR) {
            error(n, "'" + key + "' must be text, not " + n.describe(), null);
            return null;
        }
        return String.valueOf(n.scalar);
    }

    private String name(YNode parent, String key, boolean required) {
        String s = string(parent, key, required);
        if (s != null && !NAME.matcher(s).matches()) {
            error(parent.get(key), "'" + s + "' is not a usable name", "use letters, digits, '.', '_' or '-' (it becomes part of file names)");
        }
        return s == null ? "unnamed" : s;
    }

    private long integer(YNode parent, String key, long fallback, long min, long max) {
        YNode n = parent.get(key);
        if (n == null) return fallback;
        if (!(n.scalar instanceof Long v)) {
            error(n, "'" + key + "' must be a whole number, not " + n.describe(), null);
            return fallback;
        }
        if (v < min || v > max) {
            error(n, "'" + key + "' must be between " + min + " and " + max + ", not " + v, null);
            return fallback;
        }
        return v;
    }

    private double number(YNode parent, String key, double fallback, double min, double max) {
        YNode n = parent.get(key);
        if (n == null) return fallback;
        if (!(n.scalar instanceof Number v)) {
            error(n, "'" + key + "' must be a number, not " + n.describe(), null);
            return fallback;
        }
        if (v.doubleValue() < min || v.doubleValue() > max) {
            error(n, "'" + key + "' must be between " + min + " and " + max + ", not " + v, null);
            return fallback;
        }
        return v.doubleValue();
    }

    private boolean bool(YNode parent, String key, boolean fallback) {
        YNode n = parent.get(key);
        if (n == null) return fallback;
        if (n.scalar instanceof Boolean b) return b;
        error(n, "'" + key + "' must be true or false, not " + n.describe(), null);
        return fallback;
    }

    /** Milliseconds from "60s", "500ms", "2m", "1h" or a bare number of seconds. */
    private long duration(YNode parent, String key, long fallback) {
        YNode n = parent.get(key);
        if (n == null) return fallback;
        if (n.scalar instanceof Number v) return Math.round(v.doubleValue() * 1000);
        var m = n.scalar instanceof String s ? DURATION.matcher(s.trim()) : null;
        if (m == null || !m.matches()) {
            error(n, "'" + key + "' must be a duration such as 500ms, 30s, 2m or 1h, not " + n.describe(), null);
            return fallback;
        }
        double value = Double.parseDouble(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        double factor = switch (unit) {
            case "ms" -> 1;
            case "m" -> 60_000;
            case "h" -> 3_600_000;
            default -> 1000;
        };
        return Math.round(value * factor);
    }

    private static Object plain(YNode n) {
        return switch (n.kind) {
            case SCALAR -> n.scalar;
            case NULL -> null;
            case LIST -> n.items.stream().map(PlanReader::plain).toList();
            case MAP -> {
                Map<String, Object> m = new LinkedHashMap<>();
                n.fields.forEach((k, v) -> m.put(k, plain(v)));
                yield m;
            }
        };
    }

    private void error(YNode at, String message, String hint) {
        errors.add(new PlanError(file, at == null ? 0 : at.line, at == null ? 0 : at.column, at == null ? "" : at.path, message, hint));
    }

    static String hint(String wrong, List<String> valid) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String v : valid) {
            int d = levenshtein(wrong.toLowerCase(), v);
            if (d < bestDistance) {
                bestDistance = d;
                best = v;
            }
        }
        if (best != null && bestDistance <= Math.max(2, wrong.length() / 3)) return "did you mean '" + best + "'?";
        return "valid keys here: " + String.join(", ", valid);
    }

    private static int levenshtein(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
