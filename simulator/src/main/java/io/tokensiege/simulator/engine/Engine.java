package io.tokensiege.simulator.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The simulated inference engine: slots with continuous batching, a FIFO queue, prefill (optionally
 * chunked and interleaved with decode), a prefix cache and a KV block pool, on a simulated clock.
 *
 * <p>The engine runs in iterations. An iteration starts with admissions (queue → free slots; after any KV
 * preemption, below), then
 * spends its prefill budget on sequences still prefilling, in admission order, and decodes one token
 * for every sequence already decoding. Its length is the prefill work plus, if anything decodes,
 * {@code decodeBaseMs + decodePerSeqMs × decoding}. At the iteration's end every decoding sequence
 * emits one token, and a sequence whose prefill completed emits its first token. A request that
 * arrives mid-iteration waits for the next one, as in a real continuous-batching server.
 *
 * <p><b>Prefix cache.</b> A sequence's prompt enters the cache when its prefill completes, and prompt + answer
 * text ({@link SimRequest#answerText}) when it finishes: the next turn of a conversation that sends the
 * answer back reuses both.
 *
 * <p><b>KV capacity</b> ({@code kvCapacityTokens} &gt; 0). A running sequence holds its prompt, the tokens it
 * generated and the one it is computing: {@code prompt + generated + 1}. Each iteration first checks that
 * the running sequences, each one token longer than before, still fit; while they do not, the last admitted
 * one is preempted (vLLM's recompute policy): it releases everything, goes back to the head of the queue and
 * its stream pauses. Then the queue head is admitted only while it fits ({@code held + prompt + generated + 1
 * <= capacity}); a head that does not fit waits, and so does everyone behind it (FIFO). A resumed sequence
 * prefills its prompt again (the prefix cache may serve part of it) plus the tokens it had generated, and its
 * next token follows. A sequence alone in the engine is never preempted and is always admitted, so a request
 * longer than the whole capacity still completes, alone.
 *
 * <p>Worked example: capacity 1,000, two requests of 400 prompt tokens and 200 to generate. Both are admitted
 * (401 + 401 = 802). While computing their 100th tokens they hold 2 x (400 + 99 + 1) = 1,000; the next
 * iteration would need 1,002, so the second is preempted after its 100th token and the first finishes alone.
 * Then the second is readmitted and recomputes 400 + 100 tokens before its 101st.
 *
 * <p>Not thread-safe: one driver (a test or {@code RealTimeDriver}) owns it.
 */
public final class Engine {
    private static final long NANOS_PER_MS = 1_000_000L;

    private final EngineConfig config;
    private final EngineListener listener;
    private final PrefixCache prefixCache;
    private final KvBlockPool kvPool;
    private final ArrayDeque<Sequence> queue = new ArrayDeque<>();
    private final List<Sequence> running = new ArrayList<>();
    private long iterationEndNanos = Long.MAX_VALUE;

    public Engine(EngineConfig config, EngineListener listener) {
        this(config, PromptTokenizer.DEFAULT, listener);
    }

    /** {@code tokenizer} is the one that counted the prompts: prefix-cache blocks span its characters per token. */
    public Engine(EngineConfig config, PromptTokenizer tokenizer, EngineListener listener) {
        this.config = config;
        this.listener = listener;
        this.prefixCache = new PrefixCache(config.prefixCacheTokens(), config.prefixBlockTokens(), tokenizer);
        this.kvPool = new KvBlockPool(config.kvBlockTokens(), config.kvInitialBlocks(), config.kvGrowthMsPerBlock());
    }

    /**
     * Queues a request arriving at {@code nowNanos}; it joins the next iteration boundary at or after
     * that instant. When idle, the boundary is {@code nowNanos} itself, so requests arriving at the
     * same instant are batched together once the driver calls {@link #advanceTo}.
     */
    public void submit(SimRequest request, long nowNanos) {
        advanceTo(nowNanos - 1);
        queue.addLast(new Sequence(request));
        listener.onQueued(request.id(), nowNanos);
        if (iterationEndNanos == Long.MAX_VALUE) iterationEndNanos = nowNanos;
    }

    /**
     * Drops a request whose client went away, freeing its slot and KV blocks at once — as vLLM and
     * llama.cpp abort a sequence on disconnect. Tokens already computed in this iteration are not emitted.
     */
    public boolean cancel(long requestId) {
        if (queue.removeIf(s -> s.request.id() == requestId)) return true;
        for (Iterator<Sequence> it = running.iterator(); it.hasNext(); ) {
            Sequence seq = it.next();
            if (seq.request.id() == requestId) {
                it.remove();
                kvPool.release(seq.kvBlocks);
                return true;
            }
        }
        return false;
    }

    /** Completes every iteration that ends at or before {@code nowNanos}. */
    public void advanceTo(long nowNanos) {
        while (iterationEndNanos <= nowNanos) {
            long end = iterationEndNanos;
            completeIteration(end);
            if (queue.isEmpty() && running.isEmpty()) iterationEndNanos = Long.MAX_VALUE;
            else startIteration(end);
        }
    }

    /** When the current iteration ends, or {@link Long#MAX_VALUE} when idle. */
    public long nextEventNanos() {
        return iterationEndNanos;
    }

    public KvBlockPool kvPool() {
        return kvPool;
    }

    private void startIteration(long nowNanos) {
        preemptUntilGrowthFits(nowNanos);
        admit(nowNanos);
        double budgetMs = config.prefillChunkTokens() == 0
                ? Double.POSITIVE_INFINITY
                : config.prefillChunkTokens() * 1000.0 / config.prefillTokensPerSecond();
        double prefillMs = 0;
        int decoding = 0;
        for (Sequence seq : running) {
            if (seq.prefillRemainingMs > 0) {
                double spent = Math.min(seq.prefillRemainingMs, budgetMs);
                seq.prefillThisIterationMs = spent;
                budgetMs -= spent;
                prefillMs += spent;
            } else {
                seq.prefillThisIterationMs = 0;
                decoding++;
            }
        }
        double decodeMs = decoding == 0 ? 0 : config.decodeBaseMs() + config.decodePerSeqMs() * decoding;
        iterationEndNanos = nowNanos + Math.max(1L, Math.round((prefillMs + decodeMs) * NANOS_PER_MS));
    }

    private void admit(long nowNanos) {
        while (running.size() < config.slots() && !queue.isEmpty()) {
            Sequence seq = queue.peek();
            if (config.kvCapacityTokens() > 0 && !running.isEmpty() && !kvFits(kvHeldTokens() + seq.kvTokens())) {
                return; // FIFO: nobody overtakes a head that waits for memory
            }
            queue.poll();
            SimRequest req = seq.request;
            int cached = prefixCache.cachedTokens(req.promptText(), req.promptTokens());
            seq.kvBlocks = kvPool.blocksFor(req.promptTokens() + req.maxTokens());
            double growthMs = kvPool.reserve(seq.kvBlocks);
            double restoreMs = config.cacheRestoreTokensPerSecond() > 0 ? cached * 1000.0 / config.cacheRestoreTokensPerSecond() : 0;
            // A resumed sequence recomputes the tokens it had generated too; they were never in the prefix cache.
            double computeMs = (req.promptTokens() - cached + seq.emitted) * 1000.0 / config.prefillTokensPerSecond();
            seq.prefillRemainingMs = config.requestOverheadMs() + growthMs + restoreMs + computeMs;
            seq.prefillRemainingMs = Math.max(seq.prefillRemainingMs, 1e-6); // the first token needs a forward pass
            running.add(seq);
            if (seq.preemptions == 0) listener.onAdmitted(req.id(), nowNanos, cached);
            else listener.onResumed(req.id(), nowNanos);
        }
    }

    /** Preempts the last admitted sequences until every running one can hold its next token. */
    private void preemptUntilGrowthFits(long nowNanos) {
        if (config.kvCapacityTokens() == 0) return;
        while (running.size() > 1 && !kvFits(kvHeldTokens())) {
            Sequence victim = running.remove(running.size() - 1);
            kvPool.release(victim.kvBlocks);
            victim.prefillRemainingMs = 0;
            victim.preemptions++;
            queue.addFirst(victim); // the victims go back in admission order, ahead of every waiting request
            listener.onPreempted(victim.request.id(), nowNanos);
        }
    }

    private boolean kvFits(long tokens) {
        return config.kvCapacityTokens() == 0 || tokens <= config.kvCapacityTokens();
    }

    private long kvHeldTokens() {
        long held = 0;
        for (Sequence seq : running) held += seq.kvTokens();
        return held;
    }

    private void completeIteration(long endNanos) {
        if (!running.isEmpty()) listener.onIterationCompleted(endNanos); // an idle engine's wake-up boundary did no work
        Iterator<Sequence> it = running.iterator();
        while (it.hasNext()) {
            Sequence seq = it.next();
            if (seq.prefillRemainingMs > 0) {
                seq.prefillRemainingMs -= seq.prefillThisIterationMs;
                if (seq.prefillRemainingMs > 1e-9) continue;
                seq.prefillRemainingMs = 0;
                prefixCache.insert(seq.request.promptText());
            }
            emit(seq, endNanos);
            if (seq.emitted == seq.request.maxTokens()) {
                it.remove();
                kvPool.release(seq.kvBlocks);
                if (prefixCache.enabled()) { // the answer's text is built only for a cache that keeps it
                    String answer = seq.request.answerText().get();
                    if (!answer.isEmpty()) prefixCache.insert(seq.request.promptText() + answer);
                }
                listener.onFinished(seq.request.id(), endNanos);
            }
        }
    }

    private void emit(Sequence seq, long nowNanos) {
        int index = seq.emitted++;
        Channel channel = index < config.reasoningTokens() ? Channel.REASONING : Channel.CONTENT;
        listener.onToken(seq.request.id(), index, channel, nowNanos);
    }

    private static final class Sequence {
        final SimRequest request;
        double prefillRemainingMs;
        double prefillThisIterationMs;
        int emitted;
        int kvBlocks;
        int preemptions;

        Sequence(SimRequest request) {
            this.request = request;
        }

        /** KV tokens it holds while running: its prompt, what it generated, and the token being computed. */
        long kvTokens() {
            return (long) request.promptTokens() + emitted + 1;
        }
    }
}
