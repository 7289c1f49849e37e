package io.tokensiege.coordinator.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tokensiege.common.chat.ChatMessage;
import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.plan.Target;
import io.tokensiege.common.plan.Timeouts;
import io.tokensiege.common.prompt.StepPrompts;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.common.protocol.TargetFacts.PromptSizing;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Prompt sizes in a target's own tokens: from its tokenizer, fitted to each step's text, or from the warm-up's usage. */
class PromptCalibrationTest {
    /** A tokenizer with 5.3 characters a token for text, a 9-token template, and JSON-ish text twice as dense. */
    static final class FakeTokenizer implements ServerTokenizer {
        int calls;

        @Override
        public OptionalInt countText(String text) {
            calls++;
            long braces = text.chars().filter(c -> c == '{' || c == '"' || c == ':').count();
            return OptionalInt.of((int) Math.round((text.length() - braces) / 5.3 + braces));
        }

        @Override
        public OptionalInt countMessages(List<ChatMessage> messages) {
            return OptionalInt.of(messages.stream().mapToInt(m -> countText(m.content()).getAsInt() + 9).sum());
        }

        @Override
        public String source() {
            return "fake /tokenize";
        }
    }

    private static StepSpec step(StepKind kind, int promptTokens, int prefixTokens) {
        Target t = new Target("t", "http://h:1/v1", "m", null, Map.of(), Map.of(), null);
        return new StepSpec("s1", 0, kind, t, "sc", 1, 1, 5, 0, 0, 0, 100, 0.0, promptTokens, true, prefixTokens,
                prefixTokens > 0 ? List.of("role", "tools", "memory", "history") : List.of(), Timeouts.DEFAULT, 3, "abcdef", null, null, null);
    }

    @Test
    void fromTokenizer_measuresItsRatioAndTemplate() {
        PromptSizing s = PromptCalibration.fromTokenizer(new FakeTokenizer(), 1).orElseThrow();
        assertThat(s.charsPerToken()).isCloseTo(5.3, within(0.05));
        assertThat(s.overheadTokens()).isEqualTo(9);
    }

    @Test
    void fitStep_landsAPrefixWithDenseJsonOnItsTokenCount() {
        FakeTokenizer tokenizer = new FakeTokenizer();
        PromptSizing base = PromptCalibration.fromTokenizer(tokenizer, 1).orElseThrow();
        StepSpec turns = step(StepKind.TURNS, 0, 10_000);
        PromptSizing fitted = PromptCalibration.fitStep(turns.withFacts(turns.facts().withSizing(base)), base, tokenizer);
        String prefix = new StepPrompts(turns.withFacts(turns.facts().withSizing(fitted)), "w").agentPrefix();
        assertThat((double) tokenizer.countText(prefix).getAsInt()).isCloseTo(10_000, within(0.005 * 10_000));
        // Without the fit, the tools' JSON (denser than prose) would leave it off by more.
        String unfitted = new StepPrompts(turns.withFacts(turns.facts().withSizing(base)), "w").agentPrefix();
        assertThat(Math.abs(tokenizer.countText(unfitted).getAsInt() - 10_000)).isGreaterThan(Math.abs(tokenizer.countText(prefix).getAsInt() - 10_000));
    }

    @Test
    void fitStep_landsAWholeRequestOnItsTokenCount_templateIncluded() {
        FakeTokenizer tokenizer = new FakeTokenizer();
        PromptSizing base = PromptCalibration.fromTokenizer(tokenizer, 1).orElseThrow();
        StepSpec cold = step(StepKind.SEQUENTIAL, 64, 0);
        PromptSizing fitted = PromptCalibration.fitStep(cold.withFacts(cold.facts().withSizing(base)), base, tokenizer);
        List<ChatMessage> request = new StepPrompts(cold.withFacts(cold.facts().withSizing(fitted)), "calibration").messages(0, 0);
        assertThat((double) tokenizer.countMessages(request).getAsInt()).isCloseTo(64, within(2.0));
        assertThat(StepPrompts.askedPromptTokens(cold.withFacts(cold.facts().withSizing(fitted)))).isEqualTo(64);
    }

    @Test
    void fromWarmup_fitsALineThroughTheTwoSizes() {
        // A server counting 4.6 characters a token plus 12 tokens of template.
        List<RequestRecord> warmups = List.of(warmup(0, 4.6, 12), warmup(1, 4.6, 12));
        PromptSizing s = PromptCalibration.fromWarmup(warmups).orElseThrow();
        assertThat(s.charsPerToken()).isCloseTo(4.6, within(0.05));
        assertThat(s.overheadTokens()).isBetween(11, 13);
        assertThat(s.source()).isEqualTo("usage of 2 warm-up requests");
        assertThat(PromptCalibration.fromWarmup(List.of())).isEmpty();
    }

    @Test
    void aServerWhoseCountsCarryAnImplausibleOverhead_isNotBelieved() {
        // It adds a million tokens to every count: the sizing would turn a 64-token prompt into "asked 1,000,001".
        assertThat(PromptCalibration.fromWarmup(List.of(warmup(0, 4.0, 1_000_000), warmup(1, 4.0, 1_000_000)))).isEmpty();
        assertThat(PromptCalibration.fromWarmup(List.of(warmup(0, 4.0, 4_000), warmup(1, 4.0, 4_000)))).isPresent();
    }

    private static RequestRecord warmup(int seq, double cpt, int overhead) {
        int prompt = (int) Math.round(StepPrompts.warmupChars(seq) / cpt) + overhead;
        return new RequestRecord(new RequestRecord.Origin("w", "w1", 0, seq, 0, null),
                false,
                new RequestRecord.Times(0, null, 1000L, 1000L, 1000L, 100L, 2000L, 10L, 50.0),
                new RequestRecord.Tokens(10, null, 10, null, 0, 10, 0, prompt, 0, 10),
                new RequestRecord.Outcome("length", null, null, null, 200, false),
                new RequestRecord.Answer("id", 10, "x"),
                null, null, null);
    }
}
