package io.tokensiege.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokensiege.coordinator.cli.ExitCodes;
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
    void aTokenFileThatCannotBeRead_isInvalidInput_sayingWhatToDo() {
        Path missing = dir.resolve("nonexistent").resolve("tok");
        assertThatThrownBy(() -> ClusterToken.resolve(missing)).isInstanceOf(InvalidInput.class)
                .hasMessage("--token-file " + missing + ": no such file; write one with e.g. 'openssl rand -hex 32 > " + missing
                        + "' and give the same file to the coordinator and every worker");
        assertThat(Tokensiege.commandLine().execute("worker", "--join", "127.0.0.1", "--token-file", missing.toString())).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThatThrownBy(() -> ClusterToken.resolve(dir)).isInstanceOf(InvalidInput.class).hasMessageContaining("--token-file " + dir + ": cannot be read");
    }

    @Test
    void aLongEnoughToken_isTaken_stripped_andNoneIsNoToken() {
        assertThat(ClusterToken.fromEnv("  0123456789abcdef \n")).isEqualTo(new ClusterToken("0123456789abcdef", true));
        assertThat(ClusterToken.fromEnv("  ").given()).isFalse();
        assertThat(ClusterToken.fromEnv(null).given()).isFalse();
    }
}
