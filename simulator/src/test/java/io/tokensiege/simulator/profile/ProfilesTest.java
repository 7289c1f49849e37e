package io.tokensiege.simulator.profile;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.plan.SimulatorProfiles;
import org.junit.jupiter.api.Test;

/** The profile names plans are checked against (kept in common) and the profiles the simulator ships must agree. */
class ProfilesTest {
    @Test
    void everyNamePlansAccept_hasItsProfileResource() {
        assertThat(Profiles.BUILT_IN).isSameAs(SimulatorProfiles.BUILT_IN);
        assertThat(SimulatorProfiles.BUILT_IN)
                .allSatisfy(name -> assertThat(Profiles.class.getResource("/profiles/" + name + ".yaml")).as("resource of profile " + name).isNotNull());
    }
}
