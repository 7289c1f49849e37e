package io.tokensiege.coordinator.run;

import io.tokensiege.common.plan.Plan;
import io.tokensiege.common.plan.Scenario;
import io.tokensiege.common.plan.Target;
import io.tokensiege.common.plan.Timeouts;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Expands a plan into steps — one per (target, scenario, load level, repeat) — in run order: each
 * target's warm-up first, targets one after another, repeats interleaved across targets (A B A B) so
 * drift hits every target alike. Plan durations are in the target's own time; for a simulated target
 * running {@code speed} times faster they are divided by its time scale here, once.
 */
public final class StepPlanner {
    private static final SecureRandom RANDOM = new SecureRandom();
    static final long WARMUP_REQUEST_MAX_MILLIS = 120_000;

    private StepPlanner() {}

    public static List<StepSpec> expand(Plan plan) {
        List<StepSpec> steps = new ArrayList<>();
        int maxRepeat = plan.scenarios().stream().mapToInt(Scenario::repeat).max().orElse(1);
        for (int repeat = 1; repeat <= maxRepeat; repeat++) {
            for (Target target : plan.targets()) {
                if (repeat == 1 && plan.defaults().warmup() > 0) steps.add(warmup(plan, target, steps.size()));
                for (Scenario s : plan.scenarios()) {
                    if (repeat > s.repeat()) continue;
                    if (s.trace() != null && s.isSweep()) {
                        for (int c : s.load().concurrency()) steps.add(replayClosed(plan, target, s, c, repeat, steps.size()));
                    } else if (s.trace() != null) {
                        steps.add(replayPaced(plan, target, s, repeat, steps.size()));
                    } else if (s.isSweep() && s.load().isSessions()) {
                        for (int n : s.load().sessions()) steps.add(sessions(plan, target, s, n, repeat, steps.size()));
                    } else if (s.isSweep() && s.load().isOpen()) {
                        for (double rate : s.load().rate()) steps.add(open(plan, target, s, rate, repeat, steps.size()));
                    } else if (s.isSweep()) {
                        for (int c : s.load().concurrency()) steps.add(step(plan, target, s, StepKind.CLOSED, c, repeat, steps.size()));
                    } else {
                        steps.add(step(plan, target, s, s.prefix() != null ? StepKind.TURNS : StepKind.SEQUENTIAL, 1, repeat, steps.size()));
                    }
                }
            }
        }
        return steps;
    }

    private static StepSpec warmup(Plan plan, Target target, int index) {
        return new StepSpec(id(index, target, "warmup", StepKind.WARMUP, 1, 1), index, StepKind.WARMUP, target, "warmup", 1, 1,
                plan.defaults().warmup(), 0, 0, 0, plan.defaults().maxTokens(), plan.defaults().temperature(), 32, true, 0, List.of(),
                warmupTimeouts(plan.defaults().timeouts()).scaledBy(target.timeScale()), plan.seed(), nonce(), null, plan.defaults().limits(), null);
    }

    /**
     * A warm-up request ends after at most {@value #WARMUP_REQUEST_MAX_MILLIS} ms (or the plan's total timeout when shorter), whatever the
     * plan's first-token timeout: a warm-up only has to load the model, and a server that does not answer must not hold the run
     * for the plan's total timeout (15 min by default) per warm-up request. The warm-up step as a whole is then bounded by
     * {@code warmup} times that (its step deadline).
     */
    static Timeouts warmupTimeouts(Timeouts t) {
        long total = Math.min(t.totalMillis(), WARMUP_REQUEST_MAX_MILLIS);
        return new Timeouts(Math.min(t.connectMillis(), total), Math.min(t.firstTokenMillis(), total), Math.min(t.idleMillis(), total), total);
    }

    static StepSpec open(Plan plan, Target target, Scenario s, double rate, int repeat, int index) {
        double ts = target.timeScale();
        var load = s.load();
        String id = String.format("s%03d-%s-%s-r%s%s", index + 1, target.name(), s.name(), StepSpec.rateLabel(rate), repeat > 1 ? "-x" + repeat : "");
        return new StepSpec(id, index, StepKind.OPEN, target, s.name(), load.maxInFlight(), repeat, 0, scale(load.durationMillis(), ts),
                scale(plan.defaults().rampMillis(), ts), 0, s.maxTokens(), plan.defaults().temperature(),
                s.prompt() == null ? 0 : s.prompt().tokens(), s.prompt() == null || s.prompt().unique(), 0, List.of(),
                plan.defaults().timeouts().scaledBy(ts), plan.seed(), nonce(), new StepSpec.OpenLoop(rate, rate * ts, load.arrival(), load.burstiness()),
                plan.defaults().limits(), null);
    }

    static StepSpec step(Plan plan, Target target, Scenario s, StepKind kind, int concurrency, int repeat, int index) {
        double ts = target.timeScale();
        int requests;
        long duration = 0, think = 0, ramp = 0;
        if (kind == StepKind.CLOSED) {
            requests = s.load().requestsPerStream();
            duration = scale(s.load().durationMillis(), ts);
            think = scale(s.load().thinkMillis(), ts);
            ramp = requests == 0 ? scale(plan.defaults().rampMillis(), ts) : 0;
        } else {
            requests = kind == StepKind.TURNS ? s.turns() : s.requests();
        }
        return new StepSpec(id(index, target, s.name(), kind, concurrency, repeat), index, kind, target, s.name(), concurrency, repeat,
                requests, duration, ramp, think, s.maxTokens(), plan.defaults().temperature(),
                s.prompt() == null ? 0 : s.prompt().tokens(), s.prompt() == null || s.prompt().unique(),
                s.prefix() == null ? 0 : s.prefix().tokens(), s.prefix() == null ? List.of() : s.prefix().parts(),
                plan.defaults().timeouts().scaledBy(ts), plan.seed(), nonce(), null, plan.defaults().limits(), null, null, s.mix());
    }

    /** {@code sessions} agent conversations at once, each of the scenario's turns, for the load's duration. */
    static StepSpec sessions(Plan plan, Target target, Scenario s, int sessions, int repeat, int index) {
        double ts = target.timeScale();
        var load = s.load();
        String id = String.format("s%03d-%s-%s-n%d%s", index + 1, target.name(), s.name(), sessions, repeat > 1 ? "-r" + repeat : "");
        return new StepSpec(id, index, StepKind.SESSIONS, target, s.name(), sessions, repeat, s.turns(), scale(load.durationMillis(), ts),
                scale(plan.defaults().rampMillis(), ts), scale(load.thinkMillis(), ts), s.maxTokens(), plan.defaults().temperature(), 0, true,
                s.prefix().tokens(), s.prefix().parts(), plan.defaults().timeouts().scaledBy(ts), plan.seed(), nonce(), null, plan.defaults().limits(), null,
                new StepSpec.Conversation(s.prefix().perSession(), s.tools(), load.think(), load.staggered()), null);
    }

    /**
     * A trace as fast as {@code concurrency} streams go: each stream sends the next record (a session's turns one after
     * another) when its last one ends. Without a duration the level replays the trace once, every record measured;
     * with one, it goes round the trace for that long.
     */
    static StepSpec replayClosed(Plan plan, Target target, Scenario s, int concurrency, int repeat, int index) {
        double ts = target.timeScale();
        var load = s.load();
        boolean cycle = load.durationMillis() > 0;
        var trace = s.trace();
        return new StepSpec(id(index, target, s.name(), StepKind.CLOSED, concurrency, repeat), index, StepKind.CLOSED, target, s.name(), concurrency, repeat,
                cycle ? 0 : trace.trace().records().size(), scale(load.durationMillis(), ts), cycle ? scale(plan.defaults().rampMillis(), ts) : 0,
                scale(load.thinkMillis(), ts), s.maxTokens(), plan.defaults().temperature(), 0, false, 0, List.of(), plan.defaults().timeouts().scaledBy(ts),
                plan.seed(), nonce(), null, plan.defaults().limits(), null, null, null,
                new StepSpec.Replay(trace.source(), trace.timing(), 1.0, 1.0, cycle));
    }

    /**
     * A trace at its own pace (original, or scaled by its speed): an open loop whose arrivals are the records' times. Its
     * units (sessions and standalone requests) are the "streams" split over workers; the window spans the trace, so
     * every record is measured.
     */
    static StepSpec replayPaced(Plan plan, Target target, Scenario s, int repeat, int index) {
        double ts = target.timeScale();
        var trace = s.trace();
        double realSpeed = trace.speed() * ts;
        long spanMicros = trace.trace().spanMicros();
        long windowMillis = (long) Math.ceil(spanMicros / realSpeed / 1000) + 1; // the last record, at the span's end, falls inside
        double spanSeconds = Math.max(1e-3, spanMicros / 1e6 / trace.speed());
        double rate = trace.trace().records().size() / spanSeconds; // the trace's mean rate at the replayed pace, in the target's time
        String id = String.format("s%03d-%s-%s-replay%s", index + 1, target.name(), s.name(), repeat > 1 ? "-r" + repeat : "");
        return new StepSpec(id, index, StepKind.OPEN, target, s.name(), trace.trace().units().size(), repeat, 0, windowMillis, 0, 0, s.maxTokens(),
                plan.defaults().temperature(), 0, false, 0, List.of(), plan.defaults().timeouts().scaledBy(ts), plan.seed(), nonce(),
                new StepSpec.OpenLoop(rate, rate * ts, "trace", 1.0), plan.defaults().limits(), null, null, null,
                new StepSpec.Replay(trace.source(), trace.timing(), trace.speed(), realSpeed, false));
    }

    private static long scale(long millis, double timeScale) {
        return millis == 0 ? 0 : Math.max(1, Math.round(millis / timeScale));
    }

    private static String id(int index, Target t, String scenario, StepKind kind, int c, int repeat) {
        return String.format("s%03d-%s-%s%s%s", index + 1, t.name(), scenario, kind == StepKind.CLOSED ? "-c" + c : "", repeat > 1 ? "-r" + repeat : "");
    }

    private static String nonce() {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
