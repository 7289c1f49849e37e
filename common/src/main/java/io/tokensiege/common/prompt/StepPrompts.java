package io.tokensiege.common.prompt;

import io.tokensiege.common.chat.ChatMessage;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import java.util.List;

/**
 * The messages of every request of a step, in one place: the worker sends them, and the coordinator builds the
 * same ones to size them with the target's tokenizer before the step runs (the text is deterministic in the
 * step's seed, nonce and sizing).
 */
public final class StepPrompts {
    /** Warm-up requests alternate two sizes, so their usage gives a tokenizer's slope and its fixed overhead. */
    public static final int[] WARMUP_TOKENS = {512, 32};

    private final StepSpec step;
    private final String workerId;
    private final PromptFactory prompts;
    private final String agentPrefix;

    public StepPrompts(StepSpec step, String workerId) {
        this.step = step;
        this.workerId = workerId;
        // Warm-up runs before anything is known, and its sizes must stay fixed for the usage fit.
        this.prompts = new PromptFactory(step.seed(), step.kind() == StepKind.WARMUP ? io.tokensiege.common.protocol.TargetFacts.PromptSizing.ASSUMED
                : step.facts().sizing());
        this.agentPrefix = step.kind() == StepKind.TURNS || step.kind() == StepKind.SESSIONS
                ? prompts.agentPrefix(step.prefixTokens(), step.prefixParts(), step.nonce()) : null;
    }

    public List<ChatMessage> messages(int stream, int seq) {
        long salt = stream * 100_003L + seq;
        return switch (step.kind()) {
            case WARMUP -> prompts.coldPrompt(warmupTokens(seq), "warmup " + step.nonce() + " " + workerId + " " + seq, salt);
            case TURNS -> prompts.agentTurn(agentPrefix, seq + 1);
            default -> step.uniquePrompt()
                    ? prompts.coldPrompt(step.promptTokens(), step.nonce() + " " + workerId + " s" + stream + " r" + seq, salt)
                    : prompts.sharedPrompt(step.promptTokens(), stream);
        };
    }

    private final java.util.Map<String, String> partPrefixes = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The messages of a mixed step's request drawn from {@code part}: a prompt part's cold (or shared) prompt, or a
     * turn of the part's own agent prefix (shared by every request of that part, so it can be cached).
     */
    public java.util.List<ChatMessage> partMessages(io.tokensiege.common.plan.Scenario.Mix.Part part, int stream, int seq) {
        long salt = stream * 100_003L + seq;
        if (part.prefix() != null) {
            String prefix = partPrefixes.computeIfAbsent(part.name(),
                    n -> prompts.agentPrefix(part.prefix().tokens(), part.prefix().parts(), step.nonce() + " " + n));
            return prompts.agentTurn(prefix, seq % 1000 + 1, salt);
        }
        return part.prompt().unique() ? prompts.coldPrompt(part.prompt().tokens(), step.nonce() + " " + part.name() + " " + workerId + " s" + stream + " r" + seq, salt)
                : prompts.sharedPrompt(part.prompt().tokens(), stream);
    }

    /** The probe's short cold prompt. */
    public java.util.List<ChatMessage> probeMessages(int tokens, int seq) {
        return prompts.coldPrompt(tokens, step.nonce() + " probe " + workerId + " r" + seq, 77_777L + seq);
    }

    /** The agent prefix of a TURNS step, or a SESSIONS step's shared one (null for other kinds). */
    public String agentPrefix() {
        return agentPrefix;
    }

    /** An agent session's system prefix: the shared one, or with a per-session prefix one led by the session's own nonce. */
    public String sessionPrefix(String sessionNonce) {
        if (step.conversation() == null || !step.conversation().perSessionPrefix()) return agentPrefix;
        return prompts.agentPrefix(step.prefixTokens(), step.prefixParts(), step.nonce() + " " + sessionNonce);
    }

    /** The user's message for {@code turn} of a session (the same length every turn; the words vary by session). */
    public ChatMessage userTurn(int turn, long salt) {
        return prompts.agentTurn("", turn, salt).get(1);
    }

    /** The synthetic result of a tool call: JSON-ish text of about {@code tokens} tokens. */
    public String toolResult(int tokens, long salt) {
        return "{\"results\": \"" + prompts.text(tokens, 9_000 + salt) + "\"}";
    }

    public static int warmupTokens(int seq) {
        return WARMUP_TOKENS[seq % WARMUP_TOKENS.length];
    }

    /** Characters of text in warm-up request {@code seq} (sized before anything was known: 4 per token, no overhead). */
    public static int warmupChars(int seq) {
        return io.tokensiege.common.protocol.TargetFacts.PromptSizing.ASSUMED.chars(warmupTokens(seq));
    }

    /**
     * The prompt tokens a request of this step asks the server to process, by the step's sizing: a prompt's
     * tokens, or a turn's prefix + question + the template's overhead.
     */
    /**
     * The tools' schemas, sent beside the messages, count in the server's prompt as its chat template renders them:
     * estimated from their JSON by the step's sizing (templates wrap them in a few tokens of their own).
     */
    static int toolSchemaTokens(StepSpec step) {
        if (step.conversation() == null || step.conversation().tools() == null) return 0;
        try {
            String json = io.tokensiege.common.json.Json.MAPPER.writeValueAsString(step.conversation().tools().schemas());
            return step.facts().sizing().tokens(json.length());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("tool schemas that were read from JSON cannot be written back", e);
        }
    }

    public static int askedPromptTokens(StepSpec step) {
        int overhead = step.facts().sizing().overheadTokens();
        return switch (step.kind()) {
            case WARMUP -> WARMUP_TOKENS[0];
            case TURNS, SESSIONS -> step.prefixTokens() + PromptFactory.QUESTION_TOKENS + overhead + toolSchemaTokens(step);
            default -> Math.max(step.promptTokens(), overhead + 1);
        };
    }
}
