package io.tokensiege.common.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The prompt size asked beside the size counted: a gap that matters is flagged, a template's few tokens are not. */
class PromptSizeTest {
    private static List<Flag> flags(int asked, int counted) {
        List<Flag> flags = new ArrayList<>();
        new PromptSize(asked, counted, (double) counted / asked - 1, "assumed 4 characters per token").flag("s1", flags);
        return flags;
    }

    @Test
    void aTruncatedPrompt_isFlaggedWithTheLikelyCause() {
        assertThat(flags(10_000, 4_096)).singleElement().satisfies(f -> {
            assertThat(f.code()).isEqualTo(Flag.PROMPT_SIZE_GAP);
            assertThat(f.message()).contains("asked for 10,000 prompt tokens, the server counted 4,096 (-59%)").contains("truncated");
        });
        assertThat(flags(10_000, 11_200)).singleElement().satisfies(f -> assertThat(f.message()).contains("counts more than the sizing assumed"));
    }

    @Test
    void withinTenPercent_orOnlyAFewTokensOff_isNotFlagged() {
        assertThat(flags(10_000, 10_900)).isEmpty();
        assertThat(flags(32, 39)).as("+22 %, but 7 tokens of a chat template").isEmpty();
        assertThat(flags(64, 128)).as("+64 tokens on a small prompt is a real difference").hasSize(1);
    }
}
