package io.tokensiege.common.plan;

import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Checks a simulated target's {@code simulated.set} overrides against its profile, so a plan with {@code engine.slotz: 8}
 * is refused at the line that says it, by {@code plans --check} and by every reader of plans. The simulator module knows
 * the profiles' fields and provides this through {@link ServiceLoader} (common cannot depend on it); without the simulator
 * on the class path (the common module's own tests), overrides are checked when a run loads the profile.
 */
public interface SimulatorOverrideCheck {
    /** The key of a problem of the overrides together (each fine alone, say, but contradicting another). */
    String TOGETHER = "";

    /**
     * What is wrong with {@code set} as overrides of built-in profile {@code profile}, by field (a field that names nothing,
     * holds the wrong kind of value, or one its profile refuses), or under {@link #TOGETHER}; empty when they apply.
     */
    Map<String, String> problems(String profile, Map<String, Object> set);

    /** The simulator's check, when it is on the class path. */
    static Optional<SimulatorOverrideCheck> provided() {
        return Holder.CHECK;
    }

    /** Looked up once: a plan may have many overrides, and the class path does not change. */
    final class Holder {
        private static final Optional<SimulatorOverrideCheck> CHECK = ServiceLoader.load(SimulatorOverrideCheck.class).findFirst();

        private Holder() {}
    }
}
