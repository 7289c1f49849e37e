package io.tokensiege.common.prompt;

import io.tokensiege.common.chat.ChatMessage;
import io.tokensiege.common.protocol.TargetFacts.PromptSizing;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates the prompts of a plan, deterministically from a seed: readable text sized in the target's own
 * tokens ({@link PromptSizing}: characters per token measured on that target, 4 when nothing is known), a
 * unique nonce at the very start of cold prompts so no prefix cache can serve them, and a stable agent
 * prefix (role spec, a catalog of 10 tool schemas, memory, prior turns) for warm scenarios.
 *
 * <p>Sizes: a prompt of {@code tokens} is the whole request as the server counts it, so its text gets
 * {@code tokens - overheadTokens} (the template's share); a prefix of {@code tokens} is the system message
 * alone. Text is cut to the exact character count, so the same sizing always gives the same text.
 */
public final class PromptFactory {
    /** The length of each agent turn's question, in tokens. */
    public static final int QUESTION_TOKENS = 24;
    private static final String[] WORDS = ("please review the latest deploy notes and tell me which services changed "
            + "what the error budget looks like this week and whether the on call rotation needs an update for the "
            + "holiday period also summarise open incidents by severity and list owners who have not replied yet").split(" ");
    private static final String[] TOOLS = {"search_docs", "create_ticket", "post_message", "read_channel", "lookup_user",
            "query_metrics", "run_sql", "fetch_url", "schedule_meeting", "summarise_thread"};

    private final long seed;
    private final PromptSizing sizing;

    public PromptFactory(long seed) {
        this(seed, PromptSizing.ASSUMED);
    }

    public PromptFactory(long seed, PromptSizing sizing) {
        this.seed = seed;
        this.sizing = sizing;
    }

    /** About {@code tokens} tokens of readable filler, varied by {@code salt}. */
    public String text(int tokens, long salt) {
        return textOfChars(sizing.chars(tokens), salt);
    }

    /** Exactly {@code chars} characters of readable filler. */
    public String textOfChars(int chars, long salt) {
        StringBuilder sb = new StringBuilder(chars + 16);
        SplittableRandom r = new SplittableRandom(seed * 1_000_003L + salt);
        while (sb.length() < chars) {
            if (!sb.isEmpty()) sb.append(' ');
            sb.append(WORDS[r.nextInt(WORDS.length)]);
        }
        sb.setLength(Math.max(0, chars));
        return sb.toString();
    }

    /**
     * A prompt no cache has seen: a tag of its own leads, so it shares nothing with another request beyond the chat
     * template's first tokens. The readable nonce (step, worker, stream, request) follows: led by it, requests of a step
     * shared "[nonce worker s" and llama.cpp served about 30 of a 67-token "cold" prompt from its cache.
     */
    public List<ChatMessage> coldPrompt(int tokens, String nonce, long salt) {
        String head = "[" + uniqueTag(nonce) + " " + nonce + "] ";
        int chars = sizing.chars(contentTokens(tokens));
        return List.of(new ChatMessage("user", head + textOfChars(Math.max(1, chars - head.length()), salt)));
    }

    /** 12 hex digits of a 64-bit hash of {@code nonce}: differs between requests from its first digits on. */
    static String uniqueTag(String nonce) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < nonce.length(); i++) {
            h ^= nonce.charAt(i);
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33; // murmur3's finaliser: FNV alone leaves the high digits alike for nonces that differ at their end
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return String.format("%012x", h >>> 16);
    }

    /** The same prompt for every call with the same salt: for cache-friendly (non-unique) scenarios. */
    public List<ChatMessage> sharedPrompt(int tokens, long salt) {
        return List.of(new ChatMessage("user", text(contentTokens(tokens), salt)));
    }

    private int contentTokens(int requestTokens) {
        return Math.max(1, requestTokens - sizing.overheadTokens());
    }

    /**
     * An agent's stable system prefix of about {@code tokens} tokens built from {@code parts}
     * (role, tools, memory, history), led by {@code sessionNonce} so separate runs never share a cache.
     */
    public String agentPrefix(int tokens, List<String> parts, String sessionNonce) {
        StringBuilder sb = new StringBuilder("[session " + sessionNonce + "]\n");
        int perPart = Math.max(0, sizing.chars(tokens) - sb.length()) / Math.max(1, parts.size());
        for (String part : parts) {
            int start = sb.length();
            switch (part) {
                case "role" -> sb.append("# Role\nYou are the team's operations agent. You answer mentions in Slack, ")
                        .append("use tools when facts are needed, keep replies brief and never guess.\n");
                case "tools" -> {
                    sb.append("# Tools\n");
                    for (String tool : TOOLS) {
                        sb.append("{\"type\":\"function\",\"function\":{\"name\":\"").append(tool)
                                .append("\",\"description\":\"").append(tool.replace('_', ' '))
                                .append(" for the team\",\"parameters\":{\"type\":\"object\",\"properties\":{\"query\":{\"type\":\"string\"},")
                                .append("\"limit\":{\"type\":\"integer\"}},\"required\":[\"query\"]}}}\n");
                    }
                }
                case "memory" -> sb.append("# Memory\nThe user prefers short answers. The staging cluster is shared. ");
                case "history" -> sb.append("# Prior turns\nuser: what broke last night?\nassistant: the nightly export job timed out.\n");
                default -> throw new IllegalArgumentException("unknown prefix part " + part);
            }
            int used = sb.length() - start;
            if (used + 1 < perPart) sb.append(textOfChars(perPart - used - 1, part.hashCode())).append('\n');
        }
        return sb.toString();
    }

    /** Turn {@code turn} of an agent conversation: the prefix as system prompt, a short distinct question. */
    public List<ChatMessage> agentTurn(String prefix, int turn) {
        return agentTurn(prefix, turn, 0);
    }

    /** As {@link #agentTurn(String, int)}, with the question's words varied by {@code salt} (one per agent session). */
    public List<ChatMessage> agentTurn(String prefix, int turn, long salt) {
        String head = "Question " + turn + ": ";
        String question = head + textOfChars(Math.max(1, sizing.chars(QUESTION_TOKENS) - head.length()), 7_000 + turn + 1_000_003L * salt);
        return List.of(new ChatMessage("system", prefix), new ChatMessage("user", question));
    }
}
