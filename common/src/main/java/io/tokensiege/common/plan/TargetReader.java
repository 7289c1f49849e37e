package io.tokensiege.common.plan;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads one target of a plan: where load goes (url, checked by {@link TargetUrl}), which secret it may
 * carry ({@link ApiKeyEnvRule}), what it adds to each request (headers by {@link HttpHeaderRule}, extra_body
 * fields tokensiege does not set itself), or which simulator profile stands in for it.
 */
final class TargetReader {
    private static final Pattern PROFILE_FIELD = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");
    /** Request fields tokensiege sets itself; extra_body may not replace them (stream: false would measure nothing). */
    private static final Map<String, String> OWN_BODY_FIELDS = Map.of(
            "model", "set the target's model", "messages", "the prompt comes from the scenario",
            "stream", "tokensiege always streams: that is what it measures", "stream_options", "tokensiege always asks for usage in the stream",
            "max_tokens", "use max_tokens in defaults or in the scenario", "temperature", "use temperature in defaults");

    private final Fields fields;
    private final PlanOptions options;

    TargetReader(Fields fields, PlanOptions options) {
        this.fields = fields;
        this.options = options;
    }

    Target read(YNode n) {
        if (!fields.isMap(n)) return null;
        fields.keys(n, "name", "url", "model", "api_key_env", "api_key_header", "headers", "extra_body", "simulated");
        String name = fields.name(n, "name", true);
        String url = fields.string(n, "url", false);
        YNode sim = n.get("simulated");
        if ((url == null) == (sim == null)) {
            fields.error(n, "target '" + name + "' needs exactly one of 'url' (a real server) or 'simulated' (the built-in simulator)",
                    "e.g. url: \"http://m1max.lan:11434/v1\"  or  simulated: { profile: moe-35b-a3b }");
        }
        if (url != null) {
            String problem = TargetUrl.problem(url);
            if (problem != null) fields.error(n.get("url"), problem, "the server's OpenAI base, e.g. http://localhost:8000/v1");
            url = url.replaceFirst("/chat/completions/?$", "");
        }
        String model = fields.string(n, "model", sim == null);
        String keyEnv = fields.string(n, "api_key_env", false);
        if (keyEnv != null) {
            String problem = ApiKeyEnvRule.problem(keyEnv, options.allowedKeyEnvs(), options.onlyAllowedKeyEnvs());
            if (problem != null) fields.error(n.get("api_key_env"), problem, ApiKeyEnvRule.hint(keyEnv, options.onlyAllowedKeyEnvs()));
        }
        Map<String, String> headers = headers(n.get("headers"));
        String keyHeader = keyHeader(n, keyEnv, headers);
        Map<String, Object> extra = extraBody(n.get("extra_body"));
        Target.Simulated simulated = sim != null && fields.isMap(sim) ? simulated(sim) : null;
        return new Target(name, url, model, keyEnv, keyHeader, headers, extra, simulated);
    }

    /** The header the key goes in, when not {@code Authorization: Bearer}: only with a key, and not also a plain header. */
    private String keyHeader(YNode n, String keyEnv, Map<String, String> headers) {
        String keyHeader = fields.string(n, "api_key_header", false);
        if (keyHeader == null) return null;
        YNode at = n.get("api_key_header");
        String problem = HttpHeaderRule.keyHeaderProblem(keyHeader);
        if (problem != null) {
            fields.error(at, problem, "the header your server or gateway reads the key from, e.g. api_key_header: api-key");
        } else if (keyEnv == null) {
            fields.error(at, "api_key_header names the header that carries the key, but this target names no api_key_env",
                    "add api_key_env: THE_VARIABLE_WITH_THE_KEY, or remove api_key_header");
        } else if (headers.keySet().stream().anyMatch(keyHeader::equalsIgnoreCase)) {
            fields.error(at, "header '" + keyHeader + "' is both api_key_header and in headers", "keep it in one place: the key in api_key_header");
        }
        return keyHeader;
    }

    private Map<String, String> headers(YNode h) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (h == null || !fields.isMap(h)) return headers;
        Map<String, String> seen = new HashMap<>();
        h.fields.forEach((k, v) -> {
            String problem = HttpHeaderRule.nameProblem(k);
            String earlier = seen.putIfAbsent(k.toLowerCase(Locale.ROOT), k);
            if (problem != null) {
                fields.errorAtKey(h, k, problem, HttpHeaderRule.isSecretName(k)
                        ? "put the key in an environment variable, name it with api_key_env, and this header with api_key_header: " + k : null);
            } else if (earlier != null) {
                fields.errorAtKey(h, k, "header '" + k + "' is given twice (also as '" + earlier + "'; header names ignore case)", "keep one of them");
            } else if (v.kind != YNode.Kind.SCALAR) {
                fields.error(v, "a header value must be text, not " + v.describe(), null);
            } else if ((problem = HttpHeaderRule.valueProblem(k, v.asText())) != null) {
                fields.error(v, problem, "remove the control characters; one header is one line");
            } else if (ApiKeyEnvRule.holdsCredentials(v.asText())) {
                fields.error(v, "header '" + k + "' holds what looks like a credential (not shown); secrets are never written in plans",
                        "put the key in an environment variable, name it with api_key_env, and this header with api_key_header: " + k);
            } else {
                headers.put(k, v.asText());
            }
        });
        return headers;
    }

    private Map<String, Object> extraBody(YNode e) {
        Map<String, Object> extra = new LinkedHashMap<>();
        if (e == null || !fields.isMap(e)) return extra;
        e.fields.forEach((k, v) -> {
            if (OWN_BODY_FIELDS.containsKey(k)) fields.errorAtKey(e, k, "extra_body cannot set '" + k + "': tokensiege sets it in every request", OWN_BODY_FIELDS.get(k));
            // Top level only: deeper down are JSON schemas (response_format, guided_json), whose properties may well be
            // called "password" or "token" in a structured-output workload.
            else if (HttpHeaderRule.isSecretField(k)) fields.errorAtKey(e, k, "secrets are never written in plans (extra_body field '" + k + "')",
                    "a server's key goes in an environment variable named by api_key_env (sent as Authorization: Bearer, or in the header api_key_header names)");
            else if (v.kind == YNode.Kind.SCALAR && ApiKeyEnvRule.holdsCredentials(v.asText())) fields.error(v, "extra_body field '" + k
                    + "' holds what looks like a credential (not shown); secrets are never written in plans", "a server's key goes in an environment"
                    + " variable named by api_key_env (sent as Authorization: Bearer, or in the header api_key_header names)");
            else if (fields.finite(v)) extra.put(k, Fields.plain(v));
        });
        return extra;
    }

    private Target.Simulated simulated(YNode sim) {
        fields.keys(sim, "profile", "speed", "set");
        String profile = fields.string(sim, "profile", true);
        if (profile != null && !SimulatorProfiles.BUILT_IN.contains(profile)) {
            String near = Typos.nearest(profile, SimulatorProfiles.BUILT_IN);
            fields.error(sim.get("profile"), "unknown simulator profile '" + profile + "'",
                    (near == null ? "" : "did you mean '" + near + "'? ") + "built-in profiles: " + String.join(", ", SimulatorProfiles.BUILT_IN));
        }
        Map<String, Object> set = new LinkedHashMap<>();
        YNode s = sim.get("set");
        if (s != null && fields.isMap(s)) {
            s.fields.forEach((k, v) -> {
                if (!PROFILE_FIELD.matcher(k).matches()) {
                    fields.errorAtKey(s, k, "'" + k + "' is not a profile field path", "dotted field names, e.g. engine.slots: 8");
                } else if (fields.finite(v)) {
                    set.put(k, Fields.plain(v));
                }
            });
            if (profile != null && SimulatorProfiles.BUILT_IN.contains(profile)) {
                SimulatorOverrideCheck.provided().map(c -> c.problems(profile, set)).orElse(Map.of()).forEach((k, problem) -> {
                    if (k.equals(SimulatorOverrideCheck.TOGETHER)) fields.error(s, problem, "each override is valid alone; together they are not");
                    else fields.errorAtKey(s, k, problem, null);
                });
            }
        }
        return new Target.Simulated(profile, fields.number(sim, "speed", 1, 0.01, 1000), set);
    }
}
