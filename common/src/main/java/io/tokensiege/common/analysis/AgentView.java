package io.tokensiege.common.analysis;

import io.tokensiege.common.metric.RequestRecord;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * What agent sessions saw, turn by turn: turn 1 is cold (a fresh conversation), later turns carry the history and
 * should be served from the server's prefix cache. Cached tokens are the server's own counts ({@code usage}, else
 * llama.cpp's {@code timings.cache_n}). Times are in the target's own time.
 *
 * <p>A turn's first request is what the user waits on; a follow-up (the same turn sent again with a tool's result)
 * continues the conversation just sent, so it is warm even in turn 1. Turn rows and the cold figure count first
 * requests only; warm figures count every request that continues a conversation.
 *
 * @param turns                 per user turn, its first request only: requests, TTFT p50, prompt and cached tokens (p50), cached share
 * @param coldTtftMs            TTFT p50 of turn 1's first request (a fresh conversation)
 * @param warmTtftMs            TTFT p50 of turns 2+ and of follow-ups after tool results
 * @param warmCachedShare       cached / prompt tokens over those warm requests, as the server counted them
 * @param sessions              sessions seen (a session that starts anew counts again)
 * @param toolCallTurns         answers that were tool calls
 * @param ttftToolCallP50Ms     send to the first tool-call token, p50
 * @param malformedToolCalls    tool calls whose arguments were not a JSON object
 * @param requiredToolTurnsWithoutCall turns that required a tool call and got plain text: the server ignores tools
 * @param followUps             follow-up requests (a tool's result sent back)
 * @param followUpTtftMs        their TTFT p50
 */
public record AgentView(List<Turn> turns, Double coldTtftMs, Double warmTtftMs, Double warmCachedShare, int sessions, int toolCallTurns,
                        Double ttftToolCallP50Ms, int malformedToolCalls, int requiredToolTurnsWithoutCall, int followUps, Double followUpTtftMs) {

    public record Turn(int turn, int requests, Double ttftP50Ms, Integer promptTokensP50, Integer cachedTokensP50, Double cachedShare) {}

    /** Tool calls per session, or null with no session. */
    public Double toolCallTurnsPerSession() {
        return sessions == 0 ? null : (double) toolCallTurns / sessions;
    }

    static Optional<AgentView> of(List<RequestRecord> measured, double timeScale, List<Integer> requiredToolTurns) {
        List<RequestRecord> agents = measured.stream().filter(r -> r.agent() != null).toList();
        if (agents.isEmpty()) return Optional.empty();
        double msFactor = timeScale / 1000.0;
        Map<Integer, List<RequestRecord>> byTurn = new TreeMap<>();
        List<RequestRecord> warm = new ArrayList<>();
        List<RequestRecord> followUps = new ArrayList<>();
        Set<String> sessions = new HashSet<>();
        int toolCalls = 0, malformed = 0, ignored = 0;
        List<Double> toolTtft = new ArrayList<>();
        long warmCached = 0, warmPrompt = 0;
        for (RequestRecord r : agents) {
            sessions.add(r.origin().workerId() + "/" + r.agent().session());
            if (!r.ok()) continue;
            boolean followUp = r.agent().followUp();
            if (!followUp) byTurn.computeIfAbsent(r.agent().userTurn(), k -> new ArrayList<>()).add(r);
            else followUps.add(r);
            if (r.agent().toolCalls() > 0) toolCalls++;
            if (r.agent().malformedToolCall()) malformed++;
            if (r.agent().ttftToolCallMicros() != null) toolTtft.add(r.agent().ttftToolCallMicros() * msFactor);
            if (!followUp && requiredToolTurns.contains(r.agent().userTurn()) && r.agent().toolCalls() == 0) ignored++;
            if (r.agent().userTurn() == 1 && !followUp) continue;
            warm.add(r);
            Integer cached = cachedTokens(r);
            if (r.tokens().promptTokens() != null && cached != null) {
                warmCached += cached;
                warmPrompt += r.tokens().promptTokens();
            }
        }
        List<Turn> turns = new ArrayList<>();
        byTurn.forEach((turn, rs) -> turns.add(turn(turn, rs, msFactor)));
        List<Double> cold = ttfts(byTurn.getOrDefault(1, List.of()), msFactor);
        return Optional.of(new AgentView(turns, StepAnalyzer.median(cold), StepAnalyzer.median(ttfts(warm, msFactor)),
                warmPrompt > 0 ? (double) warmCached / warmPrompt : null, sessions.size(), toolCalls, StepAnalyzer.median(toolTtft), malformed, ignored,
                followUps.size(), StepAnalyzer.median(ttfts(followUps, msFactor))));
    }

    private static Turn turn(int turn, List<RequestRecord> rs, double msFactor) {
        Double prompt = StepAnalyzer.median(rs.stream().filter(r -> r.tokens().promptTokens() != null).map(r -> (double) r.tokens().promptTokens()).toList());
        Double cached = StepAnalyzer.median(rs.stream().map(AgentView::cachedTokens).filter(java.util.Objects::nonNull).map(Integer::doubleValue).toList());
        long p = rs.stream().filter(r -> r.tokens().promptTokens() != null && cachedTokens(r) != null).mapToLong(rec -> rec.tokens().promptTokens()).sum();
        long c = rs.stream().filter(r -> r.tokens().promptTokens() != null && cachedTokens(r) != null).mapToLong(AgentView::cachedTokens).sum();
        return new Turn(turn, rs.size(), StepAnalyzer.median(ttfts(rs, msFactor)), prompt == null ? null : (int) Math.round(prompt),
                cached == null ? null : (int) Math.round(cached), p > 0 ? (double) c / p : null);
    }

    /** The server's count of prompt tokens served from its cache: usage, else llama.cpp's timings. */
    static Integer cachedTokens(RequestRecord r) {
        if (r.tokens().cachedTokens() != null) return r.tokens().cachedTokens();
        return r.serverTimings() == null ? null : r.serverTimings().cachedTokens();
    }

    private static List<Double> ttfts(List<RequestRecord> rs, double msFactor) {
        return rs.stream().filter(r -> r.times().ttftMicros() != null).map(r -> r.times().ttftMicros() * msFactor).toList();
    }

    /** Flags a step whose tool calls were malformed, or whose server ignored required tool calls. */
    void flag(String stepId, List<Flag> flags) {
        if (malformedToolCalls > 0) {
            flags.add(new Flag(Flag.MALFORMED_TOOL_CALLS, stepId, malformedToolCalls + " of " + toolCallTurns
                    + " tool calls had arguments that are not a JSON object: an agent could not have run them"));
        }
        if (requiredToolTurnsWithoutCall > 0 && toolCallTurns == 0) {
            flags.add(new Flag(Flag.TOOLS_IGNORED, stepId, String.format(Locale.ROOT, "%d turns required a tool call and got plain text, and no answer"
                    + " called a tool: the server ignores tools (or its chat template cannot express them); tool-call figures are empty", requiredToolTurnsWithoutCall)));
        }
    }
}
