package io.tokensiege.common.plan;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the person running tokensiege allows beyond a plan's own rules. {@code allowedKeyEnvs}: variables
 * that {@code api_key_env} may name although they do not look like a key variable (see {@link ApiKeyEnvRule});
 * a {@code TOKENSIEGE_*} variable is never allowed. {@code traceDir}: the folder a plan that came as text (sent to a
 * coordinator) may read trace files from, and only from; null = none (a plan file reads them next to itself).
 * {@code onlyAllowedKeyEnvs}: a plan sent to a coordinator, whose {@code api_key_env} may name only {@code allowedKeyEnvs}.
 */
public record PlanOptions(Set<String> allowedKeyEnvs, Path traceDir, boolean onlyAllowedKeyEnvs) {
    public static final PlanOptions DEFAULT = new PlanOptions(Set.of());

    public PlanOptions {
        allowedKeyEnvs = Set.copyOf(allowedKeyEnvs);
        for (String name : allowedKeyEnvs) {
            String problem = ApiKeyEnvRule.allowanceProblem(name);
            if (problem != null) throw new IllegalArgumentException(problem);
        }
    }

    public PlanOptions(Set<String> allowedKeyEnvs) {
        this(allowedKeyEnvs, null, false);
    }

    /** Options allowing these extra key variables; throws IllegalArgumentException naming the first unusable one. */
    public static PlanOptions allowingKeyEnvs(Collection<String> names) {
        return names == null || names.isEmpty() ? DEFAULT : new PlanOptions(new TreeSet<>(names));
    }

    /** These options, with plans sent as text reading trace files from {@code dir} (null = none). */
    public PlanOptions withTraceDir(Path dir) {
        return new PlanOptions(allowedKeyEnvs, dir, onlyAllowedKeyEnvs);
    }

    /** These options for a plan sent to a coordinator: its api_key_env may name only the allowed variables. */
    public PlanOptions sent() {
        return new PlanOptions(allowedKeyEnvs, traceDir, true);
    }
}
