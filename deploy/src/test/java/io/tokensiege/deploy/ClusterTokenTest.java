package io.tokensiege.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A cluster token shorter than 16 characters is refused from the environment as from a file, and never echoed. */
class ClusterTokenTest {
    @TempDir
    Path dir;

    @Test
    void aShortTokenInTheEnvironment_isRefusedAsOneInAFileIs_withoutRepeatingIt() throws Exception {
        assertThatThrownBy(() -> ClusterToken.fromEnv("hunter2")).isInstanceOf(InvalidInput.class)
                .hasMessageContaining("TOKENSIEGE_TOKEN is shorter than 16 characters").hasMessageNotContaining("hunter2");
        Path file = Files.writeString(dir.resolve("token"), "hunter2\n");
        assertThatThrownBy(() -> ClusterToken.resolve(file)).hasMessageContaining("shorter than 16 characters").hasMessageNotContaining("hunter2");
    }

    @Test
    void aLongEnoughToken_isTaken_stripped_andNoneIsNoToken() {
        assertThat(ClusterToken.fromEnv("  0123456789abcdef \n")).isEqualTo(new ClusterToken("0123456789abcdef", true));
        assertThat(ClusterToken.fromEnv("  ").given()).isFalse();
        assertThat(ClusterToken.fromEnv(null).given()).isFalse();
    }
}
