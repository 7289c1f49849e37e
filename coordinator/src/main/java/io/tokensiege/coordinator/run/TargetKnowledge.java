package io.tokensiege.coordinator.run;

import io.tokensiege.common.metric.Histograms;
import io.tokensiege.common.metric.Metric;
import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.plan.Plan;
import io.tokensiege.common.plan.Scenario;
import io.tokensiege.common.plan.Target;
import io.tokensiege.common.prompt.PromptFactory;
import io.tokensiege.common.protocol.ConnectionStats;
import io.tokensiege.common.protocol.StepFinished;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.common.protocol.TargetFacts;
import io.tokensiege.common.protocol.TargetFacts.PromptSizing;
import io.tokensiege.coordinator.server.ConnectionNote;
import io.tokensiege.coordinator.server.ContextWindow;
import io.tokensiege.coordinator.server.PromptCalibration;
import io.tokensiege.coordinator.server.ServerProvenance;
import io.tokensiege.coordinator.server.ServerTokenizer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.HdrHistogram.Histogram;

/**
 * What a run learns about each target and applies to every later step: what the server says about itself, its
 * tokenizer (so prompts are sized in its own tokens), its context window (so a plan that cannot fit is refused
 * before any load), and its connection habit (a server that closes after each response gets one connection per
 * request from the start). Used by one orchestrator thread.
 */
final class TargetKnowledge {
    private static final class Known {
        Map<String, Object> provenance = Map.of();
        ServerTokenizer tokenizer;
        ContextWindow window;
        TargetFacts facts = TargetFacts.UNKNOWN;
        ConnectionStats connections = ConnectionStats.NONE;
        final Histogram connectMicros = Histograms.create();
    }

    private final Map<String, Known> byTarget = new LinkedHashMap<>();
    private final long seed;

    TargetKnowledge(long seed) {
        this.seed = seed;
    }

    /** Before the target's first step: provenance, tokenizer, context window; returns what run.json records. */
    Map<String, Object> probe(Target target) {
        Known k = known(target);
        k.provenance = ServerProvenance.read(target);
        if (k.provenance.containsKey(ServerProvenance.UNANSWERED)) return describe(target); // a silent server has no tokenizer to ask either
        k.window = ContextWindow.of(target.model(), k.provenance).orElse(null);
        k.facts = k.facts.withSlots(ServerProvenance.slots(k.provenance));
        k.tokenizer = ServerTokenizer.detect(target).orElse(null);
        if (k.tokenizer != null) PromptCalibration.fromTokenizer(k.tokenizer, seed).ifPresent(s -> k.facts = k.facts.withSizing(s));
        return describe(target);
    }

    /** Scenarios that cannot fit the target's context window (prompt + tokens to generate), each as a message. */
    List<String> misfits(Plan plan, Target target) {
        Known k = known(target);
        List<String> out = new ArrayList<>();
        if (k.window == null) return out;
        for (Scenario s : plan.scenarios()) {
            if (s.trace() != null) {
                traceMisfit(s, target, k).ifPresent(out::add);
                continue;
            }
            int prompt = askedTokens(s, k.facts.sizing());
            int total = prompt + s.maxTokens();
            if (total <= k.window.tokens()) continue;
            out.add(String.format(Locale.ROOT, "scenario '%s' needs %,d prompt tokens%s + %,d to generate = %,d, but target '%s' holds %,d tokens per request (%s)%s: "
                            + "raise the server's context (llama.cpp: -c, or fewer --parallel slots; vLLM: --max-model-len; Ollama: num_ctx) or shrink the scenario",
                    s.name(), prompt, s.load() != null && s.load().isSessions() ? " (a session's history by its last turn)" : "", s.maxTokens(), total,
                    target.name(), k.window.tokens(), k.window.source(),
                    k.window.truncates() ? ", and would silently truncate the prompt" : ""));
        }
        return out;
    }

    /** How far over the window a trace record's estimate must be to be refused: its text is not our filler, so its characters per token may differ. */
    static final double TRACE_ESTIMATE_MARGIN = 1.25;

    /**
     * A trace record that cannot fit the target's context, by an estimate from its characters (the target's own characters
     * per token, measured on generated text): refused before any load only when it is over by a clear margin, since recorded
     * text (code, other languages) may tokenize differently. A record near the limit is left to the server, whose refusal is
     * classified and explained; a server that truncates instead of refusing gets no margin.
     */
    private static java.util.Optional<String> traceMisfit(Scenario s, Target target, Known k) {
        if (s.trace().trace() == null) return java.util.Optional.empty();
        io.tokensiege.common.trace.TraceRecord worst = null;
        int worstTokens = 0;
        for (io.tokensiege.common.trace.TraceRecord r : s.trace().trace().records()) {
            int tokens = estimatedTokens(r, k.facts.sizing()) + (r.maxTokens() != null ? r.maxTokens() : s.maxTokens());
            if (tokens > worstTokens) {
                worstTokens = tokens;
                worst = r;
            }
        }
        // A server that truncates (Ollama) would cut a record silently instead of refusing it: no margin for it.
        double margin = k.window.truncates() ? 1.0 : TRACE_ESTIMATE_MARGIN;
        if (worst == null || worstTokens <= margin * k.window.tokens()) return java.util.Optional.empty();
        return java.util.Optional.of(String.format(Locale.ROOT, "scenario '%s': the record at line %d of %s needs about %,d tokens with what it may"
                        + " generate (estimated at %.2f characters per token), but target '%s' holds %,d tokens per request (%s): leave it out of the"
                        + " trace, or raise the server's context (llama.cpp: -c, or fewer --parallel slots; vLLM: --max-model-len; Ollama: num_ctx)",
                s.name(), worst.line(), s.trace().source(), worstTokens, k.facts.sizing().charsPerToken(), target.name(), k.window.tokens(), k.window.source()));
    }

    /** A record's prompt by its characters: every message's text and tool calls, and its tools' schemas. */
    private static int estimatedTokens(io.tokensiege.common.trace.TraceRecord r, PromptSizing sizing) {
        long chars = 0;
        for (io.tokensiege.common.chat.ChatMessage m : r.messages()) {
            if (m.content() != null) chars += m.content().length();
            if (m.toolCalls() != null) for (var c : m.toolCalls()) chars += (c.name() == null ? 0 : c.name().length()) + (c.arguments() == null ? 0 : c.arguments().length());
        }
        if (r.tools() != null) chars += io.tokensiege.common.json.Json.write(r.tools()).length();
        return (int) Math.min(Integer.MAX_VALUE, Math.round(chars / sizing.charsPerToken()) + sizing.overheadTokens() + 4L * r.messages().size());
    }

    /** Tokens of a tool schema in a prompt, about: the builtin ones are ~70 characters of name and description plus their parameters. */
    static final int TOOL_SCHEMA_TOKENS = 80;

    private static int askedTokens(Scenario s, PromptSizing sizing) {
        if (s.load() != null && s.load().isSessions()) return lastTurnTokens(s, sizing);
        if (s.prefix() != null) return s.prefix().tokens() + PromptFactory.QUESTION_TOKENS + sizing.overheadTokens();
        return s.prompt() == null ? 0 : Math.max(s.prompt().tokens(), sizing.overheadTokens() + 1);
    }

    /**
     * An agent session's last turn, the largest request it sends: the prefix, every question and reply so far (replies at
     * most max_tokens), each required tool call with its result, and the tools' schemas.
     */
    private static int lastTurnTokens(Scenario s, PromptSizing sizing) {
        int turns = s.turns();
        int history = turns * PromptFactory.QUESTION_TOKENS + (turns - 1) * s.maxTokens();
        int tools = 0;
        if (s.tools() != null) {
            tools = s.tools().schemas().size() * TOOL_SCHEMA_TOKENS + s.tools().requiredTurns().size() * (s.tools().resultTokens() + s.maxTokens());
        }
        return s.prefix().tokens() + history + tools + sizing.overheadTokens();
    }

    /** The step as it will be sent: the target's facts, and with a tokenizer, its text fitted to the asked size. */
    StepSpec apply(StepSpec step) {
        Known k = known(step.target());
        TargetFacts facts = k.facts;
        if (k.tokenizer != null) facts = facts.withSizing(PromptCalibration.fitStep(step.withFacts(facts), facts.sizing(), k.tokenizer));
        return step.withFacts(facts);
    }

    /** After a step: the warm-up's usage sizes prompts when there is no tokenizer; a close-after-response habit sticks. */
    void learn(StepSpec step, Collection<StepFinished> shares) {
        Known k = known(step.target());
        if (step.kind() == StepKind.WARMUP && k.tokenizer == null) {
            List<RequestRecord> records = shares.stream().flatMap(f -> f.records().stream()).filter(RequestRecord::ok).toList();
            PromptCalibration.fromWarmup(records).ifPresent(s -> k.facts = k.facts.withSizing(s));
        }
        for (StepFinished f : shares) {
            if (f.totals() == null) continue;
            ConnectionStats c = f.totals().connections();
            if (c == null) continue;
            k.connections = k.connections.plus(c);
            if (c.perRequest()) k.facts = k.facts.withConnectionPerRequest(true);
            byte[] connect = f.totals().histograms().get(Metric.CONNECT_MICROS.key());
            if (connect != null) k.connectMicros.add(Histograms.decode(connect));
        }
    }

    /** The target's facts for run.json and the report. */
    Map<String, Object> describe(Target target) {
        Known k = known(target);
        Map<String, Object> out = new LinkedHashMap<>(k.provenance);
        PromptSizing s = k.facts.sizing();
        out.put("prompt_sizing", Map.of("source", s.source(), "chars_per_token", s.charsPerToken(), "template_overhead_tokens", s.overheadTokens()));
        out.put("context_window", k.window == null ? "not exposed" : Map.of("tokens", k.window.tokens(), "source", k.window.source()));
        out.put("connections", k.connections);
        return out;
    }

    /** One line per fact a reader should see beside the target's numbers. */
    List<String> notes(Target target) {
        Known k = known(target);
        List<String> out = new ArrayList<>();
        Object unanswered = k.provenance.get(ServerProvenance.UNANSWERED);
        if (unanswered != null) out.add("did not answer before the run: " + unanswered);
        PromptSizing s = k.facts.sizing();
        out.add(String.format(Locale.ROOT, "prompts sized by %s: %.2f characters per token, %d tokens of chat template", s.source(), s.charsPerToken(), s.overheadTokens()));
        if (k.window != null) out.add(String.format(Locale.ROOT, "context: %,d tokens per request (%s)", k.window.tokens(), k.window.source()));
        if (k.connections.connects() + k.connections.reusedRequests() > 0) {
            Double p50 = k.connectMicros.getTotalCount() == 0 ? null : k.connectMicros.getValueAtPercentile(50) / 1000.0;
            out.add("connections: " + ConnectionNote.describe(k.connections, p50));
        }
        return out;
    }

    /** Why the target answered nothing when asked before its first step, or null when it answered. */
    String unanswered(Target target) {
        Object why = known(target).provenance.get(ServerProvenance.UNANSWERED);
        return why == null ? null : why.toString();
    }

    Optional<ServerTokenizer> tokenizer(Target target) {
        return Optional.ofNullable(known(target).tokenizer);
    }

    private Known known(Target t) {
        return byTarget.computeIfAbsent(t.name(), n -> new Known());
    }
}
