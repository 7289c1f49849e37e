package io.tokensiege.simulator.engine;

/**
 * Deterministic, readable output: token {@code i} of a stream is a word chosen by a hash of the seed,
 * the stream's key and {@code i}, so the same prompt with the same seed always yields the same text,
 * and answer-sanity checks see English-like words rather than random bytes.
 */
public final class TextGenerator {
    private static final String[] ANSWER = (
            "the agent reads the request and answers with a short plan for each step it will take "
          + "first it checks the tool catalog then it calls the search tool with the user query "
          + "results come back as a list and the agent summarises them in plain words for the team "
          + "memory notes say the user prefers brief replies so the answer stays small and direct "
          + "if a tool fails the agent retries once and reports what went wrong without guessing").split(" ");
    private static final String[] THINKING = (
            "let me think about what the user wants here maybe the tool catalog has something "
          + "useful wait the memory says they like short answers so i should keep this brief "
          + "first check the request then plan the steps and only then write the reply").split(" ");

    private final long seed;

    public TextGenerator(long seed) {
        this.seed = seed;
    }

    /** The text of token {@code index} (a leading space, as BPE tokens carry). */
    public String token(long streamKey, int index, Channel channel) {
        String[] words = channel == Channel.REASONING ? THINKING : ANSWER;
        long h = mix(seed ^ mix(streamKey) ^ (index * 0x9E3779B97F4A7C15L));
        String word = words[(int) Long.remainderUnsigned(h, words.length)];
        boolean sentenceEnd = index % 12 == 11;
        if (index == 0) return Character.toUpperCase(word.charAt(0)) + word.substring(1);
        return sentenceEnd ? " " + word + "." : " " + word;
    }

    /** A stable key for a prompt, so identical prompts produce identical answers. */
    public static long keyOf(String prompt) {
        long h = 1469598103934665603L;
        for (int i = 0; i < prompt.length(); i++) h = (h ^ prompt.charAt(i)) * 1099511628211L;
        return h;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
