package io.tokensiege.simulator.engine;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An LRU cache of prompt-prefix blocks. A block's key is a chained hash of the block's text and
 * every block before it, so a block only matches when the whole prefix up to it is identical —
 * the way vLLM's automatic prefix caching and llama.cpp's slot reuse behave.
 *
 * <p>Blocks are touched in prompt order, so a prompt's first blocks are its least recently used. When two
 * conversations' prefixes do not fit together, the newcomer evicts the older one's first blocks and with
 * them the whole older prefix (a match must start at block 0); that one's next turn is cold, re-inserts its
 * prefix and evicts the other's in turn. So distinct prefixes that do not fit together evict each other
 * whole, LRU-wise: a cliff, as with llama.cpp's and Ollama's slots, not a gradual decline.
 *
 * <p>Worked example: 16,384 tokens of 64-token blocks (256 blocks) and two sessions with distinct
 * 10,000-token prefixes (156 full blocks each, 312 together): the second's blocks evict the first's from
 * block 0 on, so the first finds 0 cached tokens on its next turn, and so on alternately. One session alone
 * keeps its whole prefix.
 */
public final class PrefixCache {
    private final int blockTokens;
    private final int blockChars;
    private final int capacityBlocks;
    private final LinkedHashMap<Long, Boolean> blocks = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
            return size() > capacityBlocks;
        }
    };

    public PrefixCache(int capacityTokens, int blockTokens) {
        this(capacityTokens, blockTokens, PromptTokenizer.DEFAULT);
    }

    /** Blocks of {@code blockTokens} tokens span as many characters as {@code tokenizer} gives that many tokens. */
    public PrefixCache(int capacityTokens, int blockTokens, PromptTokenizer tokenizer) {
        this.blockTokens = blockTokens;
        this.blockChars = Math.max(1, tokenizer.bytesFor(blockTokens));
        this.capacityBlocks = capacityTokens / blockTokens;
    }

    public boolean enabled() {
        return capacityBlocks > 0;
    }

    /** Tokens of {@code prompt} served from the cache; touches matched blocks (LRU). */
    public int cachedTokens(String prompt, int promptTokens) {
        if (capacityBlocks == 0) return 0;
        long[] keys = blockKeys(prompt);
        int matched = 0;
        while (matched < keys.length && blocks.get(keys[matched]) != null) matched++;
        // The last prompt token is always computed, as in real servers, so a full hit still prefills one token.
        return Math.min(matched * blockTokens, Math.max(0, promptTokens - 1));
    }

    /** Remembers every full block of {@code prompt}. */
    public void insert(String prompt) {
        if (capacityBlocks == 0) return;
        for (long key : blockKeys(prompt)) blocks.put(key, Boolean.TRUE);
    }

    private long[] blockKeys(String prompt) {
        int full = prompt.length() / blockChars;
        long[] keys = new long[full];
        long chain = 1125899906842597L;
        for (int b = 0; b < full; b++) {
            for (int i = b * blockChars, end = i + blockChars; i < end; i++) chain = 31 * chain + prompt.charAt(i);
            keys[b] = chain;
        }
        return keys;
    }
}
