package io.tokensiege.common.analysis;

import io.tokensiege.common.plan.Slo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Finds where a sweep collapses (docs/design.md §4): the first level where throughput stops scaling (A
 * rises < 10 % while TTFT p95 more than doubles), the SLO breaks, or errors pass the limit — and
 * explains it from the data. The server's parallelism is the number of sequences between their first
 * token and the end of their decode at once, averaged over the window (Little's law on the decode phase;
 * a serial server gives ~1, a 4-slot server ~4 however many streams wait). Where that was not measured, aggregate
 * tok/s ÷ per-request decode p50 stands in (it overshoots when decode rates are spread).
 */
public final class KneeFinder {
    static final double MIN_SCALING = 0.10;
    static final double TTFT_BLOWUP = 2.0;
    /** An open loop that sent fewer of its due arrivals than this share in the window could not keep up ({@link #fallsBehind}). */
    static final double IN_TIME = 0.8;
    static final String FALLS_BEHIND = "falls_behind";
    static final double DEFAULT_ERROR_LIMIT = 0.01;
    /** Rule of a level without one successful request: the server failed there (nothing it did can be "usable"). */
    public static final String NO_SUCCESS = "no_successful_requests";
    /** Rule of a partial level: the tool, not the server, cut it short, so the search stops without blaming the server. */
    public static final String NOT_JUDGED = "not_judged";
    /** Rule of agent sessions whose warm turns lost the server's prefix cache ({@link CacheCollapse}). */
    public static final String CACHE_COLLAPSE = "cache_collapse";

    private KneeFinder() {}

    public static Collapse find(List<StepResult> sweep, Slo slo) {
        List<StepResult> levels = sweep.stream().sorted(Comparator.comparingDouble(StepResult::level)).toList();
        String target = levels.get(0).identity().target();
        String scenario = levels.get(0).identity().scenario();
        StepResult base = levels.get(0);
        double perStreamAtBase = base.throughput().aggregateTokS() / base.level();
        List<Collapse.Level> evidence = new ArrayList<>();
        Double collapse = null;
        String rule = null;
        String why = null;
        Double usable = null;
        double errorLimit = slo != null && slo.errorRate() != null ? slo.errorRate() : DEFAULT_ERROR_LIMIT;
        for (int i = 0; i < levels.size(); i++) {
            StepResult r = levels.get(i);
            List<String> breaches = SloCheck.breaches(r, slo);
            StepResult.Throughput t = r.throughput();
            double decodeP50 = r.dist().decodeTokS().p50();
            Double efficiency = perStreamAtBase > 0 ? t.aggregateTokS() / (perStreamAtBase * r.level()) : null;
            // request_rate counts errors too, and the e2e histogram holds successes only: the rate of successes goes with their time.
            double successRate = t.requestRate() * (1 - r.outcome().errorRate());
            Double littles = successRate > 0 && !Double.isNaN(r.dist().e2eMs().mean()) ? successRate * r.dist().e2eMs().mean() / 1000 : null;
            Double active = t.decodingAtOnce() != null ? t.decodingAtOnce() : decodeP50 > 0 ? t.aggregateTokS() / decodeP50 : null;
            evidence.add(new Collapse.Level(r.level(), t.aggregateTokS(), r.userTtftMs().p50(), r.userTtftMs().p95(), decodeP50,
                    r.outcome().errorRate(), efficiency, littles, active, breaches, r.server() == null ? null : r.server().promptMsP50()));
            if (collapse != null) continue;
            java.util.Optional<String> unjudged = SloCheck.unjudged(r);
            if (unjudged.isPresent()) {
                // Nothing to judge is never "usable": a level with no successful request fails, a partial one stops the search.
                collapse = r.level();
                rule = r.outcome().ok() == 0 ? NO_SUCCESS : NOT_JUDGED;
                why = unjudged.get();
            } else if (r.outcome().errorRate() > errorLimit) {
                collapse = r.level();
                rule = "errors";
                why = String.format(Locale.ROOT, "errors %.1f%% > %.1f%% %s", 100 * r.outcome().errorRate(), 100 * errorLimit,
                        r.outcome().errorReasons() == null || r.outcome().errorReasons().isEmpty() ? r.outcome().errorsByClass()
                                : r.outcome().errorReasons().stream().map(ErrorReason::describe).collect(java.util.stream.Collectors.joining(", ")));
            } else if (CacheCollapse.at(levels.get(0), r).isPresent()) {
                collapse = r.level();
                rule = CACHE_COLLAPSE;
                why = CacheCollapse.at(levels.get(0), r).get();
            } else if (i > 0 && stoppedScaling(levels.get(i - 1), r)) {
                StepResult prev = levels.get(i - 1);
                collapse = r.level();
                rule = "throughput_stopped_scaling";
                why = String.format(Locale.ROOT, "aggregate %+.0f%% for %sx %s, TTFT p95 %s -> %s",
                        100 * (r.throughput().aggregateTokS() / prev.throughput().aggregateTokS() - 1), trim(r.level() / prev.level()),
                        r.open() != null ? "the rate" : "SESSIONS".equals(r.identity().kind()) ? "sessions" : "streams",
                        SloCheck.ms(prev.userTtftMs().p95()), SloCheck.ms(r.userTtftMs().p95()));
            } else if (!breaches.isEmpty()) {
                collapse = r.level();
                rule = "slo_breached";
                why = String.join(", ", breaches) + CacheCollapse.slowHits(r).orElse("");
            } else if (fallsBehind(r)) {
                collapse = r.level();
                rule = FALLS_BEHIND;
                why = behind(r);
            } else {
                usable = r.level();
            }
        }
        Double parallelism = evidence.get(evidence.size() - 1).activeSequences();
        // Where the prefix cache gave out is worth knowing even when the sweep broke earlier for another reason.
        java.util.Optional<CacheCollapse.Found> cache = CacheCollapse.first(levels);
        String line = line(target, scenario, collapse, rule, why, usable, parallelism, slo, levels);
        if (cache.isPresent() && !CACHE_COLLAPSE.equals(rule)) line += "; its prefix cache gave out at " + cache.get().label() + " (" + cache.get().change() + ")";
        return new Collapse(target, scenario, collapse, rule, usable, parallelism, line, evidence, why, cache.map(CacheCollapse.Found::level).orElse(null),
                cache.map(CacheCollapse.Found::why).orElse(null));
    }

    /**
     * An open loop that could not keep up with its arrivals: fewer than {@value #IN_TIME} of those due in the window were
     * sent in it, because every place under max_in_flight was taken, and they waited there longer than the server took to
     * answer. Both counts come from the same draw of arrivals, so this is no Poisson shortfall; a server that completes
     * less than was asked collapses at that rate whether or not it was scaling (a 4x rate had given +23 %, "no collapse").
     */
    static boolean fallsBehind(StepResult r) {
        OpenLoopStats open = r.open();
        if (open == null || open.scheduled() < 5) return false;
        double sent = open.achievedRate() * r.throughput().windowSeconds();
        return sent < IN_TIME * open.scheduled() && open.lagP50Ms() > r.dist().ttftMs().p50();
    }

    private static String behind(StepResult r) {
        OpenLoopStats open = r.open();
        return String.format(Locale.ROOT, "sent %.1f req/s of the %s asked (%d arrivals due), the rest held at max_in_flight %d for %s (schedule lag p50)"
                        + " while the server took %s to a first token", open.achievedRate(), trim(open.requestedRate()), open.scheduled(), r.identity().concurrency(),
                SloCheck.ms(open.lagP50Ms()), SloCheck.ms(r.dist().ttftMs().p50()));
    }

    static boolean stoppedScaling(StepResult prev, StepResult r) {
        if (prev.throughput().aggregateTokS() <= 0) return false;
        boolean flat = r.throughput().aggregateTokS() < prev.throughput().aggregateTokS() * (1 + MIN_SCALING);
        boolean ttftBlewUp = r.userTtftMs().p95() > TTFT_BLOWUP * prev.userTtftMs().p95();
        return flat && ttftBlewUp;
    }

    private static String line(String target, String scenario, Double collapse, String rule, String why, Double usable, Double parallelism, Slo slo,
                               List<StepResult> levels) {
        StepResult top = levels.get(levels.size() - 1);
        String unit = top.open() != null ? " req/s" : "";
        StringBuilder sb = new StringBuilder(target).append(" / ").append(scenario);
        if (collapse == null) sb.append(": no collapse up to ").append(trim(top.level())).append(unit);
        else if (NO_SUCCESS.equals(rule)) sb.append(" fails at ").append(trim(collapse)).append(unit).append(": ").append(why);
        else if (NOT_JUDGED.equals(rule)) sb.append(" is not judged from ").append(trim(collapse)).append(unit).append(": ").append(why);
        else sb.append(" collapses at ").append(trim(collapse)).append(unit).append(": ").append(why);
        sb.append(top.open() != null ? "; usable rate " : "SESSIONS".equals(top.identity().kind()) ? "; usable sessions " : "; usable concurrency ")
                .append(usable == null ? "none" : trim(usable) + unit);
        if (slo != null && !slo.isEmpty()) sb.append(" under ").append(describe(slo));
        if (parallelism != null && collapse != null && !NO_SUCCESS.equals(rule) && !NOT_JUDGED.equals(rule)) {
            long k = Math.max(1, Math.round(parallelism));
            Integer slots = slots(top);
            // An open loop's achieved rate is one random draw (Poisson noise puts it below the nominal rate about half the time):
            // arrivals left unsent, or a wait that doubled, show queueing; a rate a little short of the nominal one does not.
            boolean queues = top.open() == null ? k < top.identity().concurrency() * 0.8 : top.open().notSent() > 0
                    || top.userTtftMs().p50() > 2 * levels.get(0).userTtftMs().p50();
            // A server that said how many it serves at once, loaded with no more: nothing queued, whatever decoded less (a
            // long prefill keeps a slot busy outside its decode).
            if (slots != null && maxInFlight(top) <= slots) queues = false;
            sb.append(String.format(Locale.ROOT, "; the server decodes about %d request%s at once%s%s", k, k == 1 ? "" : "s",
                    slots == null ? "" : " (it has " + slots + " slots)", queues ? " and queues the rest" : ""));
        } else if (parallelism != null) {
            sb.append(String.format(Locale.ROOT, "; at %s the server decoded about %d at once", top.levelLabel(), Math.max(1, Math.round(parallelism))));
        }
        slotQueueing(levels.get(0), top).ifPresent(sb::append);
        clientHeld(top).ifPresent(sb::append);
        return sb.toString();
    }

    /**
     * An open loop's own share of the wait: arrivals the client held at its in-flight cap before sending them (the schedule
     * lag) are in TTFT from the intended start, and are no server's queue. Said when they are at least a quarter of it.
     */
    static java.util.Optional<String> clientHeld(StepResult top) {
        if (top.open() == null || Double.isNaN(top.open().lagP50Ms())) return java.util.Optional.empty();
        double lag = top.open().lagP50Ms();
        double intended = top.open().ttftIntendedMs().p50();
        if (!(lag >= 0.25 * intended)) return java.util.Optional.empty();
        Integer slots = slots(top);
        String more = slots != null && slots > top.identity().concurrency() ? " (the server has " + slots + " slots: a larger max_in_flight would"
                + " show its own queue)" : "";
        return java.util.Optional.of(String.format(Locale.ROOT, "; %s of the %s TTFT p50 from the intended start was arrivals waiting client-side for"
                + " one of the %d places under max_in_flight (schedule lag p50), not in the server's queue%s", SloCheck.ms(lag), SloCheck.ms(intended),
                top.identity().concurrency(), more));
    }

    /**
     * The server's own words for queueing: TTFT grew (more than {@value #TTFT_BLOWUP}x) and the time the server spent on
     * the prompt is less than half of it (its {@code prompt_ms} excludes waiting for a slot), so most of the first-token
     * wait is queueing. A slow prefill (prompt time growing as TTFT does) gets no such sentence, and a server that said it has
     * at least as many slots as requests were in flight is not said to have made them wait for one.
     */
    static java.util.Optional<String> slotQueueing(StepResult base, StepResult top) {
        if (base == top || base.server() == null || top.server() == null) return java.util.Optional.empty();
        Double before = base.server().promptMsP50();
        Double after = top.server().promptMsP50();
        // From send: a server's queue begins when the request reaches it, not at an open loop's intended start.
        double ttftBefore = base.dist().ttftMs().p50();
        double ttftAfter = top.dist().ttftMs().p50();
        if (before == null || after == null || !(ttftAfter > TTFT_BLOWUP * ttftBefore) || after >= 0.5 * ttftAfter) return java.util.Optional.empty();
        Integer slots = top.server().slots();
        if (slots != null && maxInFlight(top) <= slots) { // no request had to wait for a slot: say where the wait is not
            return java.util.Optional.of(String.format(Locale.ROOT, "; TTFT p50 grew %s -> %s while the server's own prompt time was %s -> %s:"
                    + " most of the wait is outside its prompt processing, yet not for a slot (at most %d requests in flight, %d slots)",
                    SloCheck.ms(ttftBefore), SloCheck.ms(ttftAfter), SloCheck.ms(before), SloCheck.ms(after), maxInFlight(top), slots));
        }
        return java.util.Optional.of(String.format(Locale.ROOT, "; TTFT p50 grew %s -> %s while the server's own prompt time was %s -> %s:"
                + " most of the wait is queueing for a slot", SloCheck.ms(ttftBefore), SloCheck.ms(ttftAfter), SloCheck.ms(before), SloCheck.ms(after)));
    }

    /** The most requests a level had in flight at once: its streams (or cap), and a mixed step's probe, one per worker. */
    static int maxInFlight(StepResult r) {
        return r.identity().concurrency() + (r.parts() != null && r.parts().containsKey(io.tokensiege.common.metric.RequestRecord.Origin.PROBE) ? r.workerShares().size() : 0);
    }

    /** The parallel slots the server reported, or null. */
    private static Integer slots(StepResult r) {
        return r.server() == null ? null : r.server().slots();
    }

    /** 8.0 -> "8", 0.5 -> "0.5". */
    public static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.2f", v).replaceAll("0+$", "");
    }

    static String describe(Slo slo) {
        List<String> parts = new ArrayList<>();
        if (slo.ttftP50Millis() != null) parts.add("TTFT p50 <= " + SloCheck.ms(slo.ttftP50Millis()));
        if (slo.ttftP95Millis() != null) parts.add("TTFT p95 <= " + SloCheck.ms(slo.ttftP95Millis()));
        if (slo.decodeP50TokS() != null) parts.add(String.format(Locale.ROOT, "decode p50 >= %.0f tok/s", slo.decodeP50TokS()));
        if (slo.errorRate() != null) parts.add(String.format(Locale.ROOT, "errors <= %.0f%%", 100 * slo.errorRate()));
        return String.join(", ", parts);
    }
}
