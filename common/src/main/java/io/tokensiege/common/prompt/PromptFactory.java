package io.tokensiege.common.prompt;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates the prompts of a plan, deterministically from a seed: readable text of about N tokens
 * (4 characters a token, the convention most tokenizers land near for English), a unique nonce at
 * the very start of cold prompts so no prefix cache can serve them, and a stable agent prefix
 * (role spec, a catalog of 10 tool schemas, memory, prior turns) for warm scenarios.
 */
public final class PromptFactory {
    public static final int CHARS_PER_TOKEN = 4;
    private static final String[] WORDS = ("please review the latest deploy notes and tell me which services changed "
            + "what the error budget looks like this week and whether the on call rotation needs an update for the "
            + "holiday period also summarise open incidents by severity and list owners who have not replied yet").split(" ");
    private static final String[] TOOLS = {"search_docs", "create_ticket", "post_message", "read_channel", "lookup_user",
            "query_metrics", "run_sql", "fetch_url", "schedule_meeting", "summarise_thread"};

    private final long seed;

    public PromptFactory(long seed) {
        this.seed = seed;
    }

    /** About {@code tokens} tokens of readable filler, varied by {@code salt}. */
    public String text(int tokens, long salt) {
        int chars = tokens * CHARS_PER_TOKEN;
        StringBuilder sb = new StringBuilder(chars + 16);
        SplittableRandom r = new SplittableRandom(seed * 1_000_003L + salt);
        while (sb.length() < chars) {
            if (!sb.isEmpty()) sb.append(' ');
            sb.append(WORDS[r.nextInt(WORDS.length)]);
        }
        sb.setLength(chars);
        return sb.toString();
    }

    /** A prompt no cache has seen: the nonce leads, so even the first prefix block differs. */
    public List<ChatMessage> coldPrompt(int tokens, String nonce, long salt) {
        String head = "[" + nonce + "] ";
        int rest = Math.max(1, tokens - head.length() / CHARS_PER_TOKEN);
        return List.of(new ChatMessage("user", head + text(rest, salt)));
    }

    /** The same prompt for every call with the same salt: for cache-friendly (non-unique) scenarios. */
    public List<ChatMessage> sharedPrompt(int tokens, long salt) {
        return List.of(new ChatMessage("user", text(tokens, salt)));
    }

    /**
     * An agent's stable system prefix of about {@code tokens} tokens built from {@code parts}
     * (role, tools, memory, history), led by {@code sessionNonce} so separate runs never share a cache.
     */
    public String agentPrefix(int tokens, List<String> parts, String sessionNonce) {
        StringBuilder sb = new StringBuilder("[session " + sessionNonce + "]\n");
        int perPart = tokens * CHARS_PER_TOKEN / Math.max(1, parts.size());
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
            if (used < perPart) sb.append(text((perPart - used) / CHARS_PER_TOKEN, part.hashCode())).append('\n');
        }
        return sb.toString();
    }

    /** Turn {@code turn} of an agent conversation: the prefix as system prompt, a short distinct question. */
    public List<ChatMessage> agentTurn(String prefix, int turn) {
        String question = "Question " + turn + ": " + text(24, 7_000 + turn);
        return List.of(new ChatMessage("system", prefix), new ChatMessage("user", question));
    }
}
