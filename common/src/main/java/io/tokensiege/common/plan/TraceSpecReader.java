package io.tokensiege.common.plan;

import io.tokensiege.common.trace.Trace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads a scenario's {@code trace: { file: F | builtin: NAME, timing: original | scaled | as_fast_as_possible, speed: 2.0 }}
 * and reads the trace itself, so a bad line refuses the plan before anything runs. A file is named relative to the
 * plan's folder; a plan that came as text (sent to a coordinator) may only name files inside the coordinator's
 * {@code --trace-dir}, and none without one.
 */
final class TraceSpecReader {
    static final String ORIGINAL = "original";
    static final String SCALED = "scaled";
    static final List<String> TIMINGS = List.of(ORIGINAL, SCALED, Scenario.TraceReplay.AS_FAST_AS_POSSIBLE);

    private final Fields fields;
    private final Path baseDir;
    private final boolean confined;

    /** @param baseDir where trace files are looked up; null when none may be read. @param confined refuse files outside it */
    TraceSpecReader(Fields fields, Path baseDir, boolean confined) {
        this.fields = fields;
        // Confined: absolute, so that "is it inside" compares whole paths (a relative "." would contain nothing).
        this.baseDir = baseDir != null && confined ? baseDir.toAbsolutePath().normalize() : baseDir;
        this.confined = confined;
    }

    Scenario.TraceReplay read(YNode scenario, boolean hasLoad) {
        YNode t = scenario.get("trace");
        if (t == null || !fields.isMap(t)) return null;
        fields.keys(t, "file", "builtin", "timing", "speed");
        String file = fields.string(t, "file", false);
        String builtin = fields.string(t, "builtin", false);
        if ((t.get("file") == null) == (t.get("builtin") == null)) {
            fields.error(t, "a trace needs exactly one of file or builtin", "file: my-trace.jsonl (next to the plan), or builtin: " + TraceReader.BUILT_IN.get(0));
        }
        String timing = fields.string(t, "timing", false);
        if (timing == null) timing = hasLoad ? Scenario.TraceReplay.AS_FAST_AS_POSSIBLE : ORIGINAL;
        else if (!TIMINGS.contains(timing)) {
            fields.error(t.get("timing"), "timing must be original, scaled or as_fast_as_possible", Typos.valueHint(timing, TIMINGS));
            timing = hasLoad ? Scenario.TraceReplay.AS_FAST_AS_POSSIBLE : ORIGINAL; // one mistake, one error
        }
        double speed = 1.0;
        if (t.get("speed") != null) {
            if (!SCALED.equals(timing)) fields.error(t.get("speed"), "speed goes with timing: scaled", "timing: scaled, speed: 2.0 replays twice as fast");
            else speed = fields.number(t, "speed", 1.0, 0.001, 1000);
        } else if (SCALED.equals(timing)) {
            fields.error(t, "timing: scaled needs a speed", "speed: 2.0 replays twice as fast, 0.5 at half pace");
        }
        boolean paced = !Scenario.TraceReplay.AS_FAST_AS_POSSIBLE.equals(timing);
        if (paced && hasLoad) {
            fields.error(scenario.get("load"), "a trace at its own pace runs as one step, without load",
                    "remove load, or use timing: as_fast_as_possible with load: { concurrency: [1, 4, 8] }");
        }
        if (!paced && !hasLoad) {
            fields.error(t.get("timing") != null ? t.get("timing") : t, "as fast as possible runs at concurrency levels", "add load: { concurrency: [1, 4, 8] }");
        }
        Trace trace = null;
        if (builtin != null && file == null) trace = builtin(t.get("builtin"), builtin);
        else if (file != null && builtin == null) trace = file(t.get("file"), file);
        if (trace != null && paced && !trace.timed()) {
            fields.error(t, "the trace " + trace.source() + " has no timestamp or delay, so it has no pace of its own",
                    "use timing: as_fast_as_possible with load: { concurrency: [1, 4, 8] }");
        }
        return new Scenario.TraceReplay(file, builtin, timing, speed, trace);
    }

    private Trace builtin(YNode at, String name) {
        if (!TraceReader.BUILT_IN.contains(name)) {
            fields.error(at, "no built-in trace '" + name + "'", "built-in traces: " + String.join(", ", TraceReader.BUILT_IN));
            return null;
        }
        try {
            return TraceReader.builtin(name);
        } catch (PlanException e) {
            e.errors().forEach(fields::add);
            return null;
        }
    }

    private Trace file(YNode at, String name) {
        if (baseDir == null) {
            fields.error(at, "this plan came as text, so it cannot name a trace file",
                    "start the coordinator with --trace-dir DIR and put the trace there, use a builtin trace, or run the plan file with --local");
            return null;
        }
        Path path;
        try {
            path = baseDir.resolve(name).normalize();
        } catch (InvalidPathException e) {
            fields.error(at, "not a usable file path: " + e.getReason(), null);
            return null;
        }
        if (confined && !inside(path)) {
            fields.error(at, "trace file '" + name + "' is outside the coordinator's trace folder", "name a file inside --trace-dir, e.g. file: my-trace.jsonl");
            return null;
        }
        if (!Files.isRegularFile(path)) {
            fields.error(at, "no trace file at " + path + (confined ? " (inside the coordinator's --trace-dir)" : " (relative to the plan's folder)"),
                    "built-in traces: " + String.join(", ", TraceReader.BUILT_IN));
            return null;
        }
        try {
            return TraceReader.read(path, path.toString());
        } catch (PlanException e) {
            e.errors().forEach(fields::add);
            return null;
        }
    }

    /** Inside the trace folder, following symbolic links: a link may not lead out of it. */
    private boolean inside(Path path) {
        try {
            Path root = baseDir.toRealPath();
            if (!path.startsWith(baseDir)) return false;
            return !Files.exists(path) || path.toRealPath().startsWith(root);
        } catch (IOException e) {
            return false;
        }
    }
}
