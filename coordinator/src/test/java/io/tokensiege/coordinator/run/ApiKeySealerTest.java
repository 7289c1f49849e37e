package io.tokensiege.coordinator.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokensiege.common.plan.Target;
import io.tokensiege.common.plan.Timeouts;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The key travels sealed, and only a key a header can carry: an unset variable or a key with a line break ends the run, unshown. */
class ApiKeySealerTest {
    private static final SecretBox BOX = new SecretBox("sealer-test-token-0123456789");

    @Test
    void aKey_isSealed_andOpensToItself() {
        String sealed = new ApiKeySealer(BOX, Map.of("GW_KEY", "gw-0123456789")::get).seal(step("GW_KEY"));
        assertThat(sealed).doesNotContain("gw-0123456789");
        assertThat(BOX.open(sealed)).isEqualTo("gw-0123456789");
        assertThat(new ApiKeySealer(BOX, name -> null).seal(step(null))).isNull();
    }

    @Test
    void aKeyExportedWithSpacesAround_isSealedAsAServerReceivesIt_soItsEchoIsRedactedToo() {
        String sealed = new ApiKeySealer(BOX, Map.of("GW_KEY", " gw-0123456789 \t")::get).seal(step("GW_KEY"));
        assertThat(BOX.open(sealed)).isEqualTo("gw-0123456789");
        assertThatThrownBy(() -> new ApiKeySealer(BOX, Map.of("GW_KEY", "  ")::get).seal(step("GW_KEY")))
                .hasMessageContaining("names api_key_env GW_KEY but that environment variable is empty on the coordinator");
    }

    @Test
    void anUnsetVariable_orAKeyWithALineBreak_isRefused_withoutShowingTheKey() {
        assertThatThrownBy(() -> new ApiKeySealer(BOX, name -> null).seal(step("GW_KEY")))
                .hasMessageContaining("names api_key_env GW_KEY but that environment variable is not set on the coordinator");
        assertThatThrownBy(() -> new ApiKeySealer(BOX, Map.of("GW_KEY", "gw-0123456789\n")::get).seal(step("GW_KEY")))
                .hasMessage("target 't': the key in GW_KEY has a line break at character 14 (the key is not shown); a key is sent in a header,"
                        + " as printable ASCII on one line: check how GW_KEY was set");
    }

    private static StepSpec step(String keyEnv) {
        Target target = new Target("t", "http://h:1/v1", "m", keyEnv, Map.of(), Map.of(), null);
        return new StepSpec("s1", 0, StepKind.CLOSED, target, "sweep", 1, 1, 0, 1_000, 0, 0, 10, 0, 64, true, 0, List.of(), Timeouts.DEFAULT, 1, "n",
                null, null, null);
    }
}
