package io.tokensiege.simulator.profile;

import io.tokensiege.common.plan.SimulatorOverrideCheck;

/** Plans' {@code simulated.set} overrides, checked against the profiles' real fields while the plan is read (a ServiceLoader provider). */
public final class ProfileOverrideCheck implements SimulatorOverrideCheck {
    @Override
    public String problem(String profile, String field, Object value) {
        return Profiles.overrideProblem(profile, field, value);
    }
}
