package io.tokensiege.common.plan;

import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Checks one {@code simulated.set} override against its profile, so a plan with {@code engine.slotz: 8} is refused at the
 * line that says it, by {@code plans --check} and by every reader of plans. The simulator module knows the profiles' fields
 * and provides this through {@link ServiceLoader} (common cannot depend on it); without the simulator on the class path (the
 * common module's own tests), overrides are checked when a run loads the profile.
 */
public interface SimulatorOverrideCheck {
    /** Null when {@code field: value} applies to built-in profile {@code profile}, else what is wrong, with a hint where one helps. */
    String problem(String profile, String field, Object value);

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
