package io.tokensiege.simulator.engine;

/**
 * A KV block pool that starts small and grows on demand at a cost per added block, keeping what it
 * grew — the oMLX behaviour behind docs/context.md's lesson 2 (256 initial blocks made a 10K-token cold
 * prompt take 28 s; 1,024 made it 2.3 s).
 */
public final class KvBlockPool {
    private final int blockTokens;
    private final double growthMsPerBlock;
    private final boolean bounded;
    private long allocatedBlocks;
    private long usedBlocks;

    public KvBlockPool(int blockTokens, int initialBlocks, double growthMsPerBlock) {
        this.blockTokens = blockTokens;
        this.growthMsPerBlock = growthMsPerBlock;
        this.bounded = initialBlocks > 0;
        this.allocatedBlocks = initialBlocks;
    }

    /** Reserves blocks for a sequence and returns the growth time it must pay, in ms. */
    public double reserve(int blocks) {
        usedBlocks += blocks;
        if (!bounded || usedBlocks <= allocatedBlocks) return 0;
        long added = usedBlocks - allocatedBlocks;
        allocatedBlocks = usedBlocks;
        return added * growthMsPerBlock;
    }

    public void release(int blocks) {
        usedBlocks -= blocks;
    }

    public int blocksFor(int tokens) {
        return (tokens + blockTokens - 1) / blockTokens;
    }

    public long allocatedBlocks() {
        return allocatedBlocks;
    }

    public long usedBlocks() {
        return usedBlocks;
    }
}
