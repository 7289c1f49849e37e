package io.tokensiege.common.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Parses and validates a plan before anything runs. Collects every error with file, line, column
 * and field path, and a hint (an unknown key suggests the nearest valid one). A plan comes from a file
 * or text (at most {@link PlanText#MAX_BYTES}, strict UTF-8, one YAML document) or from code as a
 * {@link PlanTree}; both pass the same schema. Every number and duration is bounded (durations at most
 * {@link #MAX_DURATION_MILLIS}), so nothing downstream can overflow.
 */
public final class PlanReader {
    public static final List<String> BUILT_IN = List.of("agent-serving", "smoke");
    /** 7 days: longer than any step or timeout anyone means, short enough that no deadline sum overflows. */
    public static final long MAX_DURATION_MILLIS = 7L * 24 * 3_600_000;
    /** Load levels in one sweep. */
    static final int MAX_LEVELS = 100;
    /** Steps a plan may expand to: each runs for seconds at least, so 10,000 is already days. */
    static final int MAX_STEPS = 10_000;

    private final Fields fields;
    private final TargetReader targetReader;
    private final TraceSpecReader traceReader;

    /** @param traceBase where trace files are looked up (null: none may be read); @param confined refuse files outside it */
    private PlanReader(String file, PlanOptions options, PlanTree tree, Path traceBase, boolean confined) {
        this.fields = new Fields(file, tree);
        this.targetReader = new TargetReader(fields, options);
        this.traceReader = new TraceSpecReader(fields, traceBase, confined);
    }

    private static final String BUILT_IN_PREFIX = "builtin:";

    /** Reads a plan file, or a built-in plan when {@code ref} names one (see {@link #BUILT_IN}), as {@code smoke} or {@code builtin:smoke}. */
    public static Plan load(String ref) throws PlanException {
        return load(ref, PlanOptions.DEFAULT);
    }

    public static Plan load(String ref, PlanOptions options) throws PlanException {
        return load(ref, options, Path.of(""));
    }

    /** {@code here}: the folder relative file names are read from (the working directory). */
    static Plan load(String ref, PlanOptions options, Path here) throws PlanException {
        String builtIn = ref.startsWith(BUILT_IN_PREFIX) ? ref.substring(BUILT_IN_PREFIX.length()) : ref;
        if (BUILT_IN.contains(builtIn)) {
            // A file of that name here would otherwise be silently ignored: the user may mean either.
            if (builtIn.equals(ref) && Files.exists(here.resolve(ref))) {
                throw new PlanException(List.of(new PlanError(ref, 0, 0, "", "'" + ref + "' is both a built-in plan and a file here",
                        "give ./" + ref + " for the file, or " + BUILT_IN_PREFIX + ref + " for the built-in plan")));
            }
            return fromYaml(builtInText(builtIn), BUILT_IN_PREFIX + builtIn, options, null, false);
        }
        if (!builtIn.equals(ref)) {
            String near = Typos.nearest(builtIn, BUILT_IN);
            throw new PlanException(List.of(new PlanError(ref, 0, 0, "", "no built-in plan '" + builtIn + "'",
                    (near == null ? "" : "did you mean '" + near + "'? ") + "built-in plans: " + String.join(", ", BUILT_IN))));
        }
        Path path;
        try {
            path = here.resolve(ref);
        } catch (InvalidPathException e) {
            throw new PlanException(List.of(new PlanError(ref, 0, 0, "", "not a usable file path: " + e.getReason(), null)));
        }
        Path folder = path.getParent();
        return fromYaml(PlanText.read(path, ref), ref, options, folder == null ? Path.of("") : folder, false); // trace files sit next to the plan
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
        return parse(text, file, PlanOptions.DEFAULT);
    }

    public static Plan parse(String text, String file, PlanOptions options) throws PlanException {
        PlanText.checkSize(text, file);
        return fromYaml(text, file, options, options.traceDir(), true);
    }

    /** A plan as received (e.g. a request body): size and UTF-8 are checked on the bytes, before any parsing. */
    public static Plan parse(byte[] bytes, String file, PlanOptions options) throws PlanException {
        return fromYaml(PlanText.decode(bytes, file), file, options, options.traceDir(), true);
    }

    /** A plan built in code; errors name the option that gave each value (see {@link PlanTree}). */
    public static Plan read(PlanTree tree, PlanOptions options) throws PlanException {
        PlanReader reader = new PlanReader(tree.source(), options, tree, null, false);
        YNode root;
        try {
            root = JsonTreeReader.read(tree.root(), tree.source());
        } catch (PlanException e) {
            e.errors().forEach(reader.fields::add);
            throw new PlanException(reader.fields.errors);
        }
        return reader.validate(root, tree.yaml());
    }

    private static Plan fromYaml(String text, String file, PlanOptions options, Path traceBase, boolean confined) throws PlanException {
        PlanReader reader = new PlanReader(file, options, null, traceBase, confined);
        YNode root;
        try {
            root = YamlTreeReader.read(text, file, reader.fields.errors);
        } catch (JsonProcessingException e) {
            throw new PlanException(List.of(syntaxError(file, e)));
        } catch (IOException e) {
            throw new PlanException(List.of(new PlanError(file, 0, 0, "", "cannot parse: " + e.getMessage(), null)));
        }
        return reader.validate(root, text);
    }

    /**
     * Where the YAML parser found the problem, and what it is, on one line. Jackson's own location is where its
     * token began (the line before a bad tab, say); the parser's problem mark is the character at fault.
     */
    private static PlanError syntaxError(String file, JsonProcessingException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.yaml.snakeyaml.error.MarkedYAMLException m && m.getProblemMark() != null) {
                String problem = m.getProblem() == null ? "" : m.getProblem().replace("\\t(TAB)", "tab").replace('\n', ' ').strip();
                return new PlanError(file, m.getProblemMark().getLine() + 1, m.getProblemMark().getColumn() + 1, "", "not valid YAML: " + problem,
                        problem.contains("tab") ? "indent with spaces" : "check indentation and quoting at this place");
            }
        }
        var loc = e.getLocation();
        return new PlanError(file, loc == null ? 0 : loc.getLineNr(), loc == null ? 0 : loc.getColumnNr(), "",
                "not valid YAML: " + e.getOriginalMessage().lines().findFirst().orElse(""), "check indentation and quoting near this line");
    }

    private Plan validate(YNode root, String source) throws PlanException {
        Plan plan = plan(root, source);
        fields.errors.sort(Comparator.comparingInt(PlanError::line).thenComparingInt(PlanError::column)); // in reading order
        if (!fields.errors.isEmpty()) throw new PlanException(fields.errors);
        return plan;
    }

    // ---- the schema, top-down -------------------------------------------------------------

    private Plan plan(YNode root, String text) {
        if (root.kind != YNode.Kind.MAP) {
            fields.error(root, "a plan must be a mapping with name, targets and scenarios", "see the example in README.md");
            return null;
        }
        fields.keys(root, "name", "description", "targets", "defaults", "scenarios", "slo", "seed");
        String name = fields.name(root, "name", true);
        Defaults defaults = defaults(root.get("defaults"));
        List<Target> targets = new ArrayList<>();
        Set<String> targetNames = new HashSet<>();
        for (YNode t : fields.list(root, "targets", true)) {
            Target target = targetReader.read(t);
            if (target != null && !targetNames.add(target.name())) fields.error(t.get("name"), "duplicate target name '" + target.name() + "'", "give each target its own name");
            targets.add(target);
        }
        List<Scenario> scenarios = new ArrayList<>();
        Set<String> scenarioNames = new HashSet<>();
        for (YNode s : fields.list(root, "scenarios", true)) {
            Scenario scenario = scenario(s, defaults);
            if (scenario != null && !scenarioNames.add(scenario.name())) fields.error(s.get("name"), "duplicate scenario name '" + scenario.name() + "'", "give each scenario its own name");
            scenarios.add(scenario);
        }
        long steps = (long) targets.size() * scenarios.stream().filter(s -> s != null)
                .mapToLong(s -> (long) (s.isSweep() ? s.load().levels().size() + s.load().refineSteps() : 1) * s.repeat()).sum();
        if (steps > MAX_STEPS) {
            fields.error(root, "this plan expands to " + steps + " steps (targets x load levels x repeats); at most " + MAX_STEPS, "split it into several plans");
        }
        Slo slo = slo(root.get("slo"));
        long seed = fields.integer(root, "seed", 1, 0, Long.MAX_VALUE);
        return new Plan(name, text, targets, defaults, scenarios, slo, seed);
    }

    private Defaults defaults(YNode n) {
        Defaults d = Defaults.DEFAULT;
        if (n == null) return d;
        if (!fields.isMap(n)) return d;
        fields.keys(n, "temperature", "warmup", "max_tokens", "ramp", "timeouts", "max_plausible_decode_tok_s", "repeat", "max_event_bytes",
                "max_error_body_bytes");
        Timeouts t = d.timeouts();
        YNode tn = n.get("timeouts");
        if (tn != null && fields.isMap(tn)) {
            fields.keys(tn, "connect", "first_token", "idle", "total");
            t = new Timeouts(fields.duration(tn, "connect", t.connectMillis(), 1), fields.duration(tn, "first_token", t.firstTokenMillis(), 1),
                    fields.duration(tn, "idle", t.idleMillis(), 1), fields.duration(tn, "total", t.totalMillis(), 1));
        }
        return new Defaults(fields.number(n, "temperature", d.temperature(), 0, 2), (int) fields.integer(n, "warmup", d.warmup(), 0, 100),
                (int) fields.integer(n, "max_tokens", d.maxTokens(), 1, 1_000_000), fields.duration(n, "ramp", d.rampMillis(), 0), t,
                fields.number(n, "max_plausible_decode_tok_s", d.maxPlausibleDecodeTokS(), 1, 1e6), (int) fields.integer(n, "repeat", d.repeat(), 1, 100),
                new Limits((int) fields.integer(n, "max_event_bytes", d.limits().maxEventBytes(), 1024, 256L << 20),
                        (int) fields.integer(n, "max_error_body_bytes", d.limits().maxErrorBodyBytes(), 256, 16L << 20)));
    }

    private Scenario scenario(YNode n, Defaults d) {
        if (!fields.isMap(n)) return null;
        fields.keys(n, "name", "prompt", "prefix", "mix", "probe", "turns", "requests", "max_tokens", "load", "repeat", "tools", "tool_choice", "tool_turns",
                "tool_result_tokens", "trace");
        String name = fields.name(n, "name", true);
        YNode p = n.get("prompt");
        YNode x = n.get("prefix");
        YNode mx = n.get("mix");
        YNode tr = n.get("trace");
        if ((p == null ? 0 : 1) + (x == null ? 0 : 1) + (mx == null ? 0 : 1) + (tr == null ? 0 : 1) != 1) {
            fields.error(n, "scenario '" + name + "' needs exactly one of 'prompt', 'prefix', 'mix' or 'trace'",
                    "prompt: { tokens: 64, unique: true } for independent requests; prefix: { tokens: 10000 } with turns for an agent; mix: [...] for several at once;"
                            + " trace: { file: my-trace.jsonl } to replay recorded requests");
        }
        if (tr != null) {
            for (String k : List.of("requests", "tools", "tool_choice", "tool_turns", "tool_result_tokens")) {
                if (n.get(k) != null && !(k.equals("requests") && n.get("load") != null)) fields.error(n.get(k), k + " does not go with a trace: its records carry their own messages and tools", "remove " + k);
            }
        }
        Scenario.Prompt prompt = PromptReader.prompt(fields, p);
        Scenario.Prefix prefix = null;
        if (x != null && fields.isMap(x)) {
            fields.keys(x, "tokens", "parts", "per_session");
            List<String> parts = new ArrayList<>();
            YNode pn = x.get("parts");
            if (pn == null) parts.addAll(Scenario.Prefix.PARTS);
            else if (pn.kind != YNode.Kind.LIST) fields.error(pn, "parts must be a list", "e.g. parts: [role, tools, memory, history]");
            else for (YNode item : pn.items) {
                String part = String.valueOf(item.scalar);
                if (!Scenario.Prefix.PARTS.contains(part)) fields.error(item, "unknown prefix part '" + part + "'", Typos.hint(part, Scenario.Prefix.PARTS));
                else parts.add(part);
            }
            prefix = new Scenario.Prefix(PromptReader.prefixTokens(fields, x), parts, fields.bool(x, "per_session", false));
        }
        if (n.get("turns") != null && x == null) fields.error(n.get("turns"), "turns only make sense with a prefix", "add prefix: { tokens: N }, or use requests: N");
        YNode ln = n.get("load");
        if (ln != null && n.get("requests") != null) fields.error(n.get("requests"), "use either requests (one after another) or load (concurrent streams), not both", "inside load, say requests_per_stream: N");
        Scenario.Load load = ln != null && fields.isMap(ln) ? new LoadReader(fields).read(ln, tr != null) : null;
        if (load != null && tr != null && (load.isOpen() || load.isSessions())) {
            fields.error(ln, "a trace replays at concurrency levels (timing: as_fast_as_possible) or at its own pace (without load)",
                    "load: { concurrency: [1, 4, 8] }; the trace's own times are its arrivals");
        }
        Scenario.TraceReplay trace = traceReader.read(n, load != null);
        if (load != null && x != null && !load.isSessions()) {
            fields.error(ln, "a prefix scenario's load is agent sessions", "load: { sessions: [1, 2, 4, 8], duration: 120s }; concurrency and rate are for prompt scenarios");
        }
        if (load != null && p != null && load.isSessions()) fields.error(ln.get("sessions"), "sessions are agents: give the scenario a prefix", "prefix: { tokens: 10000, per_session: true }");
        if (prefix != null && prefix.perSession() && (load == null || !load.isSessions())) fields.error(x.get("per_session"), "per_session is for agent sessions", null);
        int turns = (int) fields.integer(n, "turns", Scenario.DEFAULT_TURNS, 1, 1000);
        Scenario.Tools tools = tr != null ? null : new ToolsReader(fields).read(n, turns, load != null && load.isSessions());
        int maxTokens = (int) fields.integer(n, "max_tokens", d.maxTokens(), 1, 1_000_000);
        Scenario.Mix mix = new MixReader(fields).read(n, maxTokens);
        if (mix != null && (load == null || load.isOpen() || load.isSessions())) {
            fields.error(n, "a mix runs at concurrency levels", "add load: { concurrency: [4, 8], duration: 60s }");
        }
        return new Scenario(name, prompt, prefix, turns, (int) fields.integer(n, "requests", Scenario.DEFAULT_REQUESTS, 1, 1_000_000), maxTokens, load,
                (int) fields.integer(n, "repeat", d.repeat(), 1, 100), tools, mix, trace);
    }

    private Slo slo(YNode n) {
        if (n == null || !fields.isMap(n)) return Slo.NONE;
        fields.keys(n, "ttft_p50", "ttft_p95", "decode_p50_tok_s", "error_rate");
        return new Slo(n.get("ttft_p50") == null ? null : fields.duration(n, "ttft_p50", 0, 1), n.get("ttft_p95") == null ? null : fields.duration(n, "ttft_p95", 0, 1),
                n.get("decode_p50_tok_s") == null ? null : fields.number(n, "decode_p50_tok_s", 0, 0, 1e6),
                n.get("error_rate") == null ? null : fields.number(n, "error_rate", 0, 0, 1));
    }
}
