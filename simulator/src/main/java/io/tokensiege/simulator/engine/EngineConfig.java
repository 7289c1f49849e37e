package io.tokensiege.simulator.engine;

/**
 * The numbers that make one simulated inference server behave like a real one.
 *
 * <p>Worked example ({@code dense-26b}): 4 slots, decode step = 6 ms + 13.6 ms per active sequence,
 * so one stream decodes at 1000/19.6 = 51 tok/s and four streams share a 60.4 ms step
 * (66 tok/s in aggregate, 16.5 tok/s each): throughput flattens by concurrency 4.
 *
 * @param slots                 sequences decoded together (continuous batching); the rest wait in FIFO order
 * @param decodeBaseMs          fixed cost of one decode step
 * @param decodePerSeqMs        added cost per active sequence in a decode step
 * @param prefillTokensPerSecond prefill speed for prompt tokens not served by the prefix cache
 * @param prefillChunkTokens    prefill budget per engine iteration (interleaved with decode); 0 = whole prompt at once
 * @param requestOverheadMs     fixed per-request work before prefill (templating, scheduling)
 * @param prefixCacheTokens     capacity of the LRU prefix cache; 0 disables it
 * @param prefixBlockTokens     granularity of prefix matching
 * @param cacheRestoreTokensPerSecond cost of bringing cached tokens back (e.g. from an SSD tier); 0 = free
 * @param kvBlockTokens         tokens per KV block
 * @param kvInitialBlocks       KV pool size at start; 0 = unbounded (no growth cost)
 * @param kvGrowthMsPerBlock    time to add one block to the pool; the pool keeps what it grew
 * @param reasoningTokens       the first tokens of every answer stream in the reasoning channel
 * @param reasoningField        {@code reasoning} (Ollama) or {@code reasoning_content} (vLLM, DeepSeek)
 * @param kvCapacityTokens      KV memory in tokens over the running sequences (each holds its prompt, the tokens it
 *                              generated and the one it is computing); 0 = unlimited. A request that does not fit
 *                              waits in the queue; a running sequence whose next token does not fit preempts the
 *                              last admitted sequences (vLLM's recompute preemption). See {@link Engine}.
 */
public record EngineConfig(
        int slots,
        double decodeBaseMs,
        double decodePerSeqMs,
        double prefillTokensPerSecond,
        int prefillChunkTokens,
        double requestOverheadMs,
        int prefixCacheTokens,
        int prefixBlockTokens,
        double cacheRestoreTokensPerSecond,
        int kvBlockTokens,
        int kvInitialBlocks,
        double kvGrowthMsPerBlock,
        int reasoningTokens,
        String reasoningField,
        int kvCapacityTokens) {

    public EngineConfig {
        require(slots >= 1, "slots must be at least 1");
        require(decodeBaseMs >= 0 && decodePerSeqMs >= 0, "decode costs must not be negative");
        require(decodeBaseMs + decodePerSeqMs > 0, "a decode step must take some time");
        require(prefillTokensPerSecond > 0, "prefill_tok_per_s must be positive");
        require(prefillChunkTokens >= 0, "prefill_chunk_tokens must not be negative");
        require(prefixBlockTokens >= 1 && kvBlockTokens >= 1, "block sizes must be at least 1 token");
        require(prefixCacheTokens >= 0 && kvInitialBlocks >= 0, "capacities must not be negative");
        require(reasoningTokens >= 0, "reasoning_tokens must not be negative");
        require(kvCapacityTokens >= 0, "kv_capacity_tokens must be 0 (unlimited) or positive");
        require(reasoningField == null || reasoningField.equals("reasoning") || reasoningField.equals("reasoning_content"),
                "reasoning_field must be 'reasoning' or 'reasoning_content'");
    }

    /** Without a KV capacity (unlimited), as every profile was before it existed. */
    public EngineConfig(int slots, double decodeBaseMs, double decodePerSeqMs, double prefillTokensPerSecond, int prefillChunkTokens,
                        double requestOverheadMs, int prefixCacheTokens, int prefixBlockTokens, double cacheRestoreTokensPerSecond,
                        int kvBlockTokens, int kvInitialBlocks, double kvGrowthMsPerBlock, int reasoningTokens, String reasoningField) {
        this(slots, decodeBaseMs, decodePerSeqMs, prefillTokensPerSecond, prefillChunkTokens, requestOverheadMs, prefixCacheTokens,
                prefixBlockTokens, cacheRestoreTokensPerSecond, kvBlockTokens, kvInitialBlocks, kvGrowthMsPerBlock, reasoningTokens, reasoningField, 0);
    }

    /** The same server with a KV capacity of {@code tokens}. */
    public EngineConfig withKvCapacityTokens(int tokens) {
        return new EngineConfig(slots, decodeBaseMs, decodePerSeqMs, prefillTokensPerSecond, prefillChunkTokens, requestOverheadMs, prefixCacheTokens,
                prefixBlockTokens, cacheRestoreTokensPerSecond, kvBlockTokens, kvInitialBlocks, kvGrowthMsPerBlock, reasoningTokens, reasoningField, tokens);
    }

    /** A plain batching server: handy as a base for tests. */
    public static EngineConfig simple(int slots, double decodeBaseMs, double decodePerSeqMs, double prefillTokensPerSecond) {
        return new EngineConfig(slots, decodeBaseMs, decodePerSeqMs, prefillTokensPerSecond, 0, 0,
                0, 64, 0, 16, 0, 0, 0, "reasoning");
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }
}
