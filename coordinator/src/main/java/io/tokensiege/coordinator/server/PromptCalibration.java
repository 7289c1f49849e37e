package io.tokensiege.coordinator.server;

import io.tokensiege.common.chat.ChatMessage;
import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.prompt.PromptFactory;
import io.tokensiege.common.prompt.StepPrompts;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.common.protocol.TargetFacts.PromptSizing;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Sizes generated prompts in a target's own tokens. With the server's tokenizer: its characters per token
 * on tokensiege's text and its chat template's overhead, then each step's exact text fitted to the asked
 * size (a few /tokenize calls, before the step). Without one (Ollama, oMLX): a line through the
 * {@code usage.prompt_tokens} of the warm-up requests, which come in two sizes.
 */
public final class PromptCalibration {
    /** Characters of sample text for the tokenizer's ratio: long enough that the ends do not matter. */
    static final int SAMPLE_CHARS = 8_000;
    /** Fit iterations per step; the count is monotonic in characters, so two secant steps land within a token or two. */
    static final int FIT_ROUNDS = 3;
    static final double FIT_TOLERANCE = 0.005;
    static final int MAX_OVERHEAD_TOKENS = 4096;

    private PromptCalibration() {}

    /** From the server's tokenizer: characters per token of filler text, and the template's share of a one-message request. */
    public static Optional<PromptSizing> fromTokenizer(ServerTokenizer tokenizer, long seed) {
        String sample = new PromptFactory(seed).textOfChars(SAMPLE_CHARS, 1);
        OptionalInt text = tokenizer.countText(sample);
        OptionalInt request = tokenizer.countMessages(List.of(new ChatMessage("user", sample)));
        if (text.isEmpty() || request.isEmpty() || text.getAsInt() <= 0) return Optional.empty();
        double cpt = (double) SAMPLE_CHARS / text.getAsInt();
        int overhead = Math.max(0, request.getAsInt() - text.getAsInt());
        return plausible(cpt) && plausibleOverhead(overhead) ? Optional.of(new PromptSizing(cpt, overhead, tokenizer.source())) : Optional.empty();
    }

    /**
     * From the warm-up requests' usage: {@code prompt_tokens = overhead + chars / cpt}, fitted through the two
     * sizes they came in. Empty when the server reported no usage or the fit is implausible.
     */
    public static Optional<PromptSizing> fromWarmup(List<RequestRecord> warmup) {
        List<double[]> points = new ArrayList<>();
        for (RequestRecord r : warmup) if (r.tokens().promptTokens() != null && r.tokens().promptTokens() > 0) points.add(new double[] {StepPrompts.warmupChars(r.origin().seq()), r.tokens().promptTokens()});
        if (points.isEmpty()) return Optional.empty();
        double minChars = points.stream().mapToDouble(p -> p[0]).min().getAsDouble();
        double maxChars = points.stream().mapToDouble(p -> p[0]).max().getAsDouble();
        double cpt;
        double overhead;
        if (maxChars > minChars) {
            double tokensAtMin = points.stream().filter(p -> p[0] == minChars).mapToDouble(p -> p[1]).average().getAsDouble();
            double tokensAtMax = points.stream().filter(p -> p[0] == maxChars).mapToDouble(p -> p[1]).average().getAsDouble();
            if (tokensAtMax <= tokensAtMin) return Optional.empty();
            cpt = (maxChars - minChars) / (tokensAtMax - tokensAtMin);
            overhead = tokensAtMin - minChars / cpt;
        } else { // one size only: the overhead cannot be told apart, and is small beside 512 tokens
            cpt = maxChars / points.stream().mapToDouble(p -> p[1]).average().getAsDouble();
            overhead = 0;
        }
        if (!plausible(cpt) || !plausibleOverhead(overhead)) return Optional.empty();
        return Optional.of(new PromptSizing(cpt, (int) Math.max(0, Math.round(overhead)),
                String.format(Locale.ROOT, "usage of %d warm-up request%s", points.size(), points.size() == 1 ? "" : "s")));
    }

    /**
     * The step's own sizing: its actual text (deterministic in seed, nonce and sizing) counted by the tokenizer, and
     * the characters per token adjusted until the count lands on the asked size: a prefix's tokens alone, or a whole
     * prompt's request. Steps that generate no sized text keep the target's sizing.
     */
    public static PromptSizing fitStep(StepSpec step, PromptSizing base, ServerTokenizer tokenizer) {
        boolean prefix = step.kind() == StepKind.TURNS || step.kind() == StepKind.SESSIONS;
        int asked = prefix ? step.prefixTokens() : step.promptTokens();
        if (asked <= 0 || step.kind() == StepKind.WARMUP) return base;
        double cpt = base.charsPerToken();
        double prevCpt = Double.NaN;
        int prevCount = -1;
        for (int round = 0; round < FIT_ROUNDS; round++) {
            OptionalInt count = count(step.withFacts(step.facts().withSizing(new PromptSizing(cpt, base.overheadTokens(), base.source()))), tokenizer);
            if (count.isEmpty() || count.getAsInt() <= 0) return base;
            int n = count.getAsInt();
            if (Math.abs(n - asked) <= Math.max(1, FIT_TOLERANCE * asked)) break;
            // The count grows with the text's length (asked x cpt): first in proportion, then by the secant through two tries.
            double next = prevCount < 0 || prevCount == n ? cpt * asked / n : cpt + (asked - n) * (cpt - prevCpt) / (n - prevCount);
            prevCpt = cpt;
            prevCount = n;
            if (!plausible(next)) break;
            cpt = next;
        }
        return new PromptSizing(cpt, base.overheadTokens(), base.source() + ", fitted to this step's text");
    }

    /** The tokens the fitted quantity has: a TURNS step's prefix alone, or a prompt step's whole first request. */
    private static OptionalInt count(StepSpec step, ServerTokenizer tokenizer) {
        StepPrompts prompts = new StepPrompts(step, "calibration");
        boolean prefix = step.kind() == StepKind.TURNS || step.kind() == StepKind.SESSIONS;
        return prefix ? tokenizer.countText(prompts.agentPrefix()) : tokenizer.countMessages(prompts.messages(0, 0));
    }

    private static boolean plausible(double charsPerToken) {
        return charsPerToken > 1.0 && charsPerToken < 16;
    }

    /**
     * A chat template adds tens of tokens, hundreds with a long system prompt; more than {@value #MAX_OVERHEAD_TOKENS} is a
     * server whose counts are not to be believed, and believing it would rewrite the prompt size the user asked for (a
     * server adding a million tokens to every count made a 64-token plan read "asked 1,000,001").
     */
    private static boolean plausibleOverhead(double overheadTokens) {
        return overheadTokens <= MAX_OVERHEAD_TOKENS;
    }
}
