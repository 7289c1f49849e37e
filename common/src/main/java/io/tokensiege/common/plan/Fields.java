package io.tokensiege.common.plan;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Typed access to a plan's fields, each recording an error (with line, column and field path, or the
 * option that gave the value) instead of throwing, so one check reports every mistake at once.
 */
final class Fields {
    /** Names become directory and file names (runs/<time>-<plan>/hlog/<target>/<scenario>/...), each at most 255 bytes. */
    private static final int MAX_NAME_CHARS = 64;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern DURATION = Pattern.compile("([-+]?\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");

    final List<PlanError> errors = new ArrayList<>();
    private final String file;
    private final PlanTree tree;

    Fields(String file, PlanTree tree) {
        this.file = file;
        this.tree = tree;
    }

    void keys(YNode map, String... allowed) {
        List<String> valid = List.of(allowed);
        for (var e : map.keyLocations.entrySet()) {
            if (!valid.contains(e.getKey())) {
                errorAtKey(map, e.getKey(), "unknown key '" + e.getKey() + "'", Typos.hint(e.getKey(), valid));
            }
        }
    }

    List<YNode> list(YNode parent, String key, boolean required) {
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

    boolean isMap(YNode n) {
        if (n.kind == YNode.Kind.MAP) return true;
        error(n, "expected a mapping (key: value pairs), not " + n.describe(), null);
        return false;
    }

    String string(YNode parent, String key, boolean required) {
        YNode n = parent.get(key);
        if (n == null || n.kind == YNode.Kind.NULL) {
            if (required) error(parent, "missing '" + key + "'", null);
            return null;
        }
        if (n.kind != YNode.Kind.SCALAR) {
            error(n, "'" + key + "' must be text, not " + n.describe(), null);
            return null;
        }
        String text = n.asText();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c)) { // printed in terminals and reports: an escape sequence there is an attack, a NUL a mistake
                error(n, String.format("'%s' has the control character U+%04X at character %d", key, (int) c, i + 1), "write plain text");
                return null;
            }
        }
        return text;
    }

    String name(YNode parent, String key, boolean required) {
        String s = string(parent, key, required);
        if (s != null && !NAME.matcher(s).matches()) {
            error(parent.get(key), "'" + s + "' is not a usable name", "use letters, digits, '.', '_' or '-' (it becomes part of file names)");
        } else if (s != null && s.length() > MAX_NAME_CHARS) {
            error(parent.get(key), "a name has at most " + MAX_NAME_CHARS + " characters, not " + s.length(), "names become part of file names, which have a length limit");
        }
        return s == null ? "unnamed" : s;
    }

    long integer(YNode parent, String key, long fallback, long min, long max) {
        YNode n = parent.get(key);
        if (n == null) return fallback;
        if (n.scalar instanceof BigInteger) {
            error(n, "'" + key + "' must be between " + min + " and " + max + ", not " + n.describe(), null);
            return fallback;
        }
        if (!(n.scalar instanceof Long v)) {
            error(n, "'" + key + "' must be a whole number, not " + n.describe(), leadingZeroHint(n));
            return fallback;
        }
        if (v < min || v > max) {
            error(n, "'" + key + "' must be between " + min + " and " + max + ", not " + v, null);
            return fallback;
        }
        return v;
    }

    double number(YNode parent, String key, double fallback, double min, double max) {
        YNode n = parent.get(key);
        if (n == null) return fallback;
        if (!(n.scalar instanceof Number v)) {
            error(n, "'" + key + "' must be a number, not " + n.describe(), leadingZeroHint(n));
            return fallback;
        }
        if (!Double.isFinite(v.doubleValue())) {
            error(n, "'" + key + "' must be a finite number, not " + n.describe(), null);
            return fallback;
        }
        if (v.doubleValue() < min || v.doubleValue() > max) {
            error(n, "'" + key + "' must be between " + min + " and " + max + ", not " + v, null);
            return fallback;
        }
        return v.doubleValue();
    }

    /** For a number written with a leading zero, which YAML reads as octal or decimal depending on its version. */
    static String leadingZeroHint(YNode n) {
        return n.scalar instanceof String s && YamlTreeReader.LEADING_ZERO.matcher(s).matches()
                ? "drop the leading zero: YAML 1.1 reads '" + s + "' as an octal number" : null;
    }

    boolean bool(YNode parent, String key, boolean fallback) {
        YNode n = parent.get(key);
        if (n == null) return fallback;
        if (n.scalar instanceof Boolean b) return b;
        error(n, "'" + key + "' must be true or false, not " + n.describe(), null);
        return fallback;
    }

    /**
     * Milliseconds from "60s", "500ms", "2m", "1h" or a bare number of seconds, at least {@code minMillis}
     * (0 where zero means "none", 1 where a duration must be positive) and at most {@link PlanReader#MAX_DURATION_MILLIS}.
     */
    long duration(YNode parent, String key, long fallback, long minMillis) {
        YNode n = parent.get(key);
        if (n == null) return fallback;
        double millis;
        if (n.scalar instanceof Number v) {
            millis = v.doubleValue() * 1000;
        } else {
            var m = n.scalar instanceof String s ? DURATION.matcher(s.trim()) : null;
            if (m == null || !m.matches()) {
                error(n, "'" + key + "' must be a duration such as 500ms, 30s, 2m or 1h, not " + n.describe(), null);
                return fallback;
            }
            double factor = switch (m.group(2) == null ? "s" : m.group(2)) {
                case "ms" -> 1;
                case "m" -> 60_000;
                case "h" -> 3_600_000;
                default -> 1000;
            };
            millis = Double.parseDouble(m.group(1)) * factor;
        }
        if (Double.isNaN(millis)) {
            error(n, "'" + key + "' must be a duration such as 500ms, 30s, 2m or 1h, not " + n.describe(), null);
        } else if (millis < 0) {
            error(n, "'" + key + "' must not be negative, not " + n.describe(), null);
        } else if (millis > PlanReader.MAX_DURATION_MILLIS) {
            error(n, "'" + key + "' must be at most 7 days (168h), not " + n.describe(), "durations are bounded so no deadline can overflow");
        } else if (Math.round(millis) < minMillis) {
            error(n, "'" + key + "' must be positive (at least 1ms), not " + n.describe(), null);
        } else {
            return Math.round(millis);
        }
        return fallback;
    }

    /** Whether every number in {@code n} is finite (NaN and infinities have no JSON form); errors for those that are not. */
    boolean finite(YNode n) {
        return switch (n.kind) {
            case SCALAR -> {
                if (n.scalar instanceof Double d && !Double.isFinite(d)) {
                    error(n, "must be a finite number, not " + n.describe(), null);
                    yield false;
                }
                yield true;
            }
            case LIST -> n.items.stream().map(this::finite).reduce(true, Boolean::logicalAnd);
            case MAP -> n.fields.values().stream().map(this::finite).reduce(true, Boolean::logicalAnd);
            case NULL -> true;
        };
    }

    static Object plain(YNode n) {
        return switch (n.kind) {
            case SCALAR -> n.scalar;
            case NULL -> null;
            case LIST -> n.items.stream().map(Fields::plain).toList();
            case MAP -> {
                Map<String, Object> m = new LinkedHashMap<>();
                n.fields.forEach((k, v) -> m.put(k, plain(v)));
                yield m;
            }
        };
    }

    void error(YNode at, String message, String hint) {
        add(new PlanError(file, at == null ? 0 : at.line, at == null ? 0 : at.column, at == null ? "" : at.path, message, hint));
    }

    /** An error about a key itself (unknown, repeated, not a valid name), placed where the key stands. */
    void errorAtKey(YNode map, String key, String message, String hint) {
        int[] loc = map.keyLocations.getOrDefault(key, new int[] {map.line, map.column});
        add(new PlanError(file, loc[0], loc[1], map.childPath(key), message, hint));
    }

    /** For a plan built in code, each error names the option that gave the value. */
    void add(PlanError e) {
        errors.add(tree == null ? e : e.withOption(tree.optionFor(e.path())));
    }
}
