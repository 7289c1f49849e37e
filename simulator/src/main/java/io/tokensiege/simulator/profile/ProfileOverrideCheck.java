package io.tokensiege.simulator.profile;

import io.tokensiege.common.plan.SimulatorOverrideCheck;
import java.util.Map;

/** Plans' {@code simulated.set} overrides, checked against the profiles' real fields while the plan is read (a ServiceLoader provider). */
public final class ProfileOverrideCheck implements SimulatorOverrideCheck {
    @Override
    public Map<String, String> problems(String profile, Map<String, Object> set) {
        return Profiles.overrideProblems(profile, set);
    }
}
