package io.tokensiege.worker.load;

import io.tokensiege.common.chat.ChatMessage;
import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.metric.RequestStamps;
import io.tokensiege.common.plan.Scenario;
import io.tokensiege.common.prompt.StepPrompts;
import io.tokensiege.common.protocol.StepSpec;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Agent sessions: each stream is one agent holding a conversation. A turn sends the whole history so far (the
 * system prefix, every earlier question, the server's real replies, its tool calls and their results). When the
 * model answers with tool calls, a synthetic result of the configured size is appended for each and the same turn
 * goes on at once, as an agent framework would. After its last turn a session starts anew with a fresh
 * conversation (and, with per-session prefixes, a new prefix), so the level holds for the whole window; a step
 * without a duration holds one conversation per session, every request measured. Think time separates turns. The window and fillers work as in {@link ClosedLoop}; a session's state changes only on its
 * lane's event loop.
 */
final class SessionLoop implements LoadDriver {
    /** An answer kept for the history: long enough for any max_tokens a plan would ask. */
    static final int ANSWER_CHARS = 256 << 10;

    /** One agent's conversation; touched only on its lane's loop. */
    private static final class Session {
        final int stream;
        final SplittableRandom random;
        long number;
        int seq;
        int userTurn;
        int followUps;
        final List<ChatMessage> history = new ArrayList<>();

        Session(int stream, long seed) {
            this.stream = stream;
            this.random = new SplittableRandom(seed);
        }
    }

    private final StepRunner runner;
    private final StepSpec step;
    private final StepSpec.Conversation conversation;
    private final Vertx vertx;
    private final List<Lane> lanes;
    private final String workerId;
    private final StepPrompts prompts;
    private final AtomicInteger activeSessions = new AtomicInteger();
    private final AtomicInteger measuredInFlight = new AtomicInteger();
    private final AtomicInteger sessionNumbers = new AtomicInteger();
    /** Which session each request in flight belongs to (sessions of every lane: hence concurrent). */
    private final Map<Exchange, Session> pending = new ConcurrentHashMap<>();
    private volatile boolean stopping;
    private volatile boolean windowClosed;

    SessionLoop(StepRunner runner, StepSpec step, Vertx vertx, List<Lane> lanes, String workerId) {
        this.runner = runner;
        this.step = step;
        this.conversation = step.conversation();
        this.vertx = vertx;
        this.lanes = lanes;
        this.workerId = workerId;
        this.prompts = runner.issuer().requests().prompts();
    }

    @Override
    public void start() {
        if (step.isTimed()) {
            vertx.setTimer(Math.max(1, step.rampMillis() + step.durationMillis()), t -> {
                windowClosed = true;
                if (measuredInFlight.get() == 0) runner.stopAndCancel();
                vertx.setTimer(step.timeouts().totalMillis() + 1000, t2 -> runner.stopAndCancel()); // safety net, as in ClosedLoop
            });
        }
        int total = lanes.stream().mapToInt(l -> l.streams.size()).sum();
        activeSessions.set(total);
        if (total == 0) {
            runner.driverDone();
            return;
        }
        for (Lane lane : lanes) {
            for (int stream : List.copyOf(lane.streams)) {
                Session s = new Session(stream, step.seed() * 1_000_003L + stream);
                // Staggered: spread over the ramp by the session's place among all of the step's sessions.
                long offset = conversation.staggered() ? step.rampMillis() * stream / Math.max(1, step.concurrency()) : 0;
                if (offset > 0) vertx.setTimer(offset, t -> lane.context.runOnContext(v -> begin(lane, s)));
                else lane.context.runOnContext(v -> begin(lane, s));
            }
        }
    }

    /** A fresh conversation: the prefix (the session's own, or the shared one), then its first turn. */
    private void begin(Lane lane, Session s) {
        if (stopping) {
            sessionEnded();
            return;
        }
        s.number = sessionNumbers.incrementAndGet();
        s.userTurn = 0;
        s.history.clear();
        s.history.add(new ChatMessage("system", prompts.sessionPrefix(workerId + "-" + s.stream + "-" + s.number)));
        nextTurn(lane, s);
    }

    private void nextTurn(Lane lane, Session s) {
        if (stopping) {
            sessionEnded();
            return;
        }
        s.userTurn++;
        s.followUps = 0;
        s.history.add(prompts.userTurn(s.userTurn, s.number * 100_003L + s.stream));
        send(lane, s, false);
    }

    private void send(Lane lane, Session s, boolean followUp) {
        boolean measured = !windowClosed && runner.window().contains(System.nanoTime());
        if (measured) measuredInFlight.incrementAndGet();
        Exchange ex = runner.issuer().exchange(lane, s.stream, s.seq++, s.userTurn, measured, RequestStamps.NONE);
        ex.captureAnswer(ANSWER_CHARS);
        ex.stamps.agent = new RequestRecord.AgentTurn(s.number, s.userTurn, followUp, 0, null, false, s.history.size());
        Scenario.Tools tools = conversation.tools();
        var body = tools == null ? runner.issuer().requests().body(List.copyOf(s.history), null, null)
                : runner.issuer().requests().body(List.copyOf(s.history), tools.schemas(), toolChoice(tools, s.userTurn, followUp));
        pending.put(ex, s);
        runner.issuer().start(ex, lane, body);
    }

    /** Required on the plan's tool turns (not on the follow-up that carries the result), the plan's choice otherwise. */
    private static Object toolChoice(Scenario.Tools tools, int userTurn, boolean followUp) {
        return !followUp && tools.requiredTurns().contains(userTurn) ? "required" : tools.choice();
    }


    @Override
    public void ended(Lane lane, Exchange ex) {
        if (ex.measured && measuredInFlight.decrementAndGet() == 0 && windowClosed) runner.stopAndCancel();
        Session s = pending.remove(ex);
        if (s == null) return;
        if (stopping) {
            sessionEnded();
            return;
        }
        RequestRecord r = ex.record();
        if (!r.ok()) { // a broken turn breaks the conversation: an agent would start over (or, holding one, stop)
            if (step.isTimed()) afterThink(lane, s, () -> begin(lane, s));
            else sessionEnded();
            return;
        }
        List<ChatMessage.ToolCall> calls = ex.answer().toolCalls().calls("call_" + s.number + "_" + s.seq + "_");
        s.history.add(new ChatMessage("assistant", ex.answer().text(), calls.isEmpty() ? null : calls, null));
        if (!calls.isEmpty() && conversation.tools() != null && s.followUps < StepSpec.Conversation.MAX_FOLLOW_UPS) {
            s.followUps++;
            int resultTokens = conversation.tools().resultTokens();
            for (ChatMessage.ToolCall c : calls) s.history.add(new ChatMessage("tool", prompts.toolResult(resultTokens, s.seq), null, c.id()));
            send(lane, s, true); // the tool ran: the model reads its result at once
        } else if (s.userTurn < step.requests()) {
            afterThink(lane, s, () -> nextTurn(lane, s));
        } else if (step.isTimed()) {
            afterThink(lane, s, () -> begin(lane, s));
        } else {
            sessionEnded(); // without a duration, each session holds one conversation
        }
    }

    /** Think time around {@code thinkMillis}: constant, or exponential (the gaps of people, not metronomes). */
    private void afterThink(Lane lane, Session s, Runnable then) {
        long mean = step.thinkMillis();
        if (mean <= 0) {
            then.run();
            return;
        }
        long wait = "exponential".equals(conversation.think()) ? Math.max(1, Math.round(-mean * Math.log(1 - s.random.nextDouble()))) : mean;
        vertx.setTimer(wait, t -> lane.context.runOnContext(v -> then.run()));
    }

    @Override
    public void stop() {
        stopping = true;
    }

    private void sessionEnded() {
        if (activeSessions.decrementAndGet() == 0) runner.driverDone();
    }
}
