package io.tokensiege.common.prompt;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.protocol.TargetFacts;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Cold prompts share nothing a prefix cache could serve; their size stays what the sizing asks. */
class PromptFactoryTest {
    private final PromptFactory prompts = new PromptFactory(1, TargetFacts.PromptSizing.ASSUMED);

    @Test
    void coldPromptsOfOneStep_differFromTheirFirstCharacters() {
        List<String> texts = new ArrayList<>();
        for (int stream = 0; stream < 4; stream++) {
            for (int seq = 0; seq < 25; seq++) {
                texts.add(prompts.coldPrompt(64, "n0nce local-1 s" + stream + " r" + seq, stream * 100_003L + seq).get(0).content());
            }
        }
        Set<String> firstFour = new HashSet<>();
        for (String t : texts) firstFour.add(t.substring(0, 4)); // "[" and three hex digits
        assertThat(firstFour).as("distinct starts of 100 cold prompts").hasSizeGreaterThan(90);
        assertThat(texts).allSatisfy(t -> assertThat(t).matches("\\[[0-9a-f]{12} n0nce local-1 s\\d r\\d+\\] .*"));
    }

    @Test
    void aColdPromptKeepsItsSize_whateverItsTag() {
        int a = prompts.coldPrompt(64, "n local-1 s0 r0", 1).get(0).content().length();
        int b = prompts.coldPrompt(64, "n local-1 s10 r1000", 2).get(0).content().length();
        assertThat(a).isEqualTo(b).isEqualTo(TargetFacts.PromptSizing.ASSUMED.chars(64 - TargetFacts.PromptSizing.ASSUMED.overheadTokens()));
    }
}
