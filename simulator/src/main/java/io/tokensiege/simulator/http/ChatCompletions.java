package io.tokensiege.simulator.http;

import io.tokensiege.simulator.engine.RealTimeDriver;
import io.tokensiege.simulator.engine.SimRequest;
import io.tokensiege.simulator.profile.Profile;
import io.tokensiege.simulator.tools.PlannedCall;
import io.tokensiege.simulator.tools.ToolAnswers;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code POST /v1/chat/completions}: parses the request, draws its fault (or takes the {@code x-sim-fault} header's),
 * fits its prompt to the context, refuses what the server would refuse (another model, a full queue, a simulated 500),
 * records its ground truth, and hands the rest to the engine, answered by a {@link CompletionStream}.
 */
final class ChatCompletions {
    private final Vertx vertx;
    private final Profile profile;
    private final RealTimeDriver driver;
    private final GroundTruthLog truthLog;
    private final ServerHabits habits;
    private final StreamServices streamServices;
    private final ToolAnswers toolAnswers;
    private final AtomicLong ids = new AtomicLong();
    /** Requests accepted and not yet finished (running or queued): exact, so the 429 limit is too. */
    private final AtomicInteger inSystem = new AtomicInteger();

    ChatCompletions(Vertx vertx, Profile profile, RealTimeDriver driver, GroundTruthLog truthLog, ServerHabits habits, StreamServices streamServices) {
        this.vertx = vertx;
        this.profile = profile;
        this.driver = driver;
        this.truthLog = truthLog;
        this.habits = habits;
        this.streamServices = streamServices;
        this.toolAnswers = new ToolAnswers(profile.tools(), profile.seed(), profile.server().charsPerToken());
    }

    /** A request's body, read; {@code received} is when the request arrived, where its ground truth starts. */
    void chat(HttpServerRequest req, Buffer body, long received) {
        ChatRequest chat;
        FaultPlan fault;
        try {
            chat = ChatRequest.parse(body.getBytes(), habits);
            String header = req.getHeader("x-sim-fault");
            long id = ids.incrementAndGet();
            fault = header != null ? FaultPlan.fromHeader(header) : FaultPlan.draw(profile.faults(), profile.seed(), id);
            if (habits.refusesOtherModels() && !chat.model().equals(profile.model())) {
                habits.error(req, 404, "The model '" + chat.model() + "' does not exist; this simulator serves '" + profile.model() + "'.",
                        "invalid_request_error", "model", "model_not_found");
                return;
            }
            ChatRequest fitted = fitContext(req, chat, fault, id, received);
            if (fitted != null) serve(req, fitted, fault, id, received);
        } catch (ChatRequest.BadRequest e) {
            habits.error(req, 400, e.getMessage(), "invalid_request_error", e.param, null);
        } catch (IllegalArgumentException e) {
            habits.error(req, 400, e.getMessage(), "invalid_request_error", "x-sim-fault", null);
        }
    }

    /** A prompt over the context: truncated (Ollama) and served, or refused (null) in the server's words. */
    private ChatRequest fitContext(HttpServerRequest req, ChatRequest chat, FaultPlan fault, long id, long received) {
        int limit = profile.server().contextTokens();
        if (limit == 0 || chat.promptTokens() <= limit) return chat;
        if (habits.truncatesLongPrompts()) return habits.truncate(chat, limit);
        GroundTruth truth = new GroundTruth(id, fault.label(), chat.promptTokens(), chat.promptTokens(), chat.maxTokens(), received);
        truth.outcome = "400";
        truthLog.add(truth);
        req.response().putHeader("x-sim-request-id", Long.toString(id));
        habits.refuseContext(req, chat.promptTokens(), limit);
        return null;
    }

    private void serve(HttpServerRequest req, ChatRequest served, FaultPlan fault, long id, long received) {
        ChatPrompt prompt = served.prompt();
        PlannedCall call = toolAnswers.plan(served.promptText(), prompt.tools(), prompt.toolChoice(), prompt.answersToolResult());
        AnswerPlan plan = AnswerPlan.of(call, served.maxTokens(), profile.engine().reasoningTokens());
        GroundTruth truth = new GroundTruth(id, fault.label(), served.promptTokens(), served.requestedPromptTokens(), plan.tokens(), received);
        if (prompt.answersToolResult()) truth.answeredToolCallId = prompt.messages().get(prompt.messages().size() - 1).toolCallId();
        if (plan.callsTool()) {
            truth.toolCallId = call.id();
            truth.toolCallName = call.name();
            truth.toolCallMalformed = call.malformed();
        }
        truthLog.add(truth);
        req.response().putHeader("x-sim-request-id", Long.toString(id));
        int limit = profile.faults().maxQueue();
        // The queue is what waits beyond the slots: refuse when running + queued would exceed slots + max_queue.
        boolean overQueue = limit > 0 && inSystem.incrementAndGet() > profile.engine().slots() + limit;
        if (overQueue) inSystem.decrementAndGet();
        if (fault.kind() == FaultPlan.Kind.HTTP_429 || overQueue) {
            truth.outcome = "429";
            req.response().putHeader("retry-after", "1");
            habits.error(req, 429, "The server is busy (queue limit reached); retry later.", "rate_limit_error", null, "rate_limited");
            return;
        }
        if (fault.kind() == FaultPlan.Kind.HTTP_500) {
            if (limit > 0) inSystem.decrementAndGet();
            truth.outcome = "500";
            habits.error(req, 500, "Simulated internal error.", "server_error", null, null);
            return;
        }
        Runnable onLeftSystem = limit > 0 ? inSystem::decrementAndGet : () -> {};
        CompletionStream stream = new CompletionStream(vertx, req, served, plan, truth, fault, streamServices, onLeftSystem, () -> driver.cancel(id));
        stream.start();
        driver.submit(new SimRequest(id, served.promptText(), served.promptTokens(), plan.tokens(), stream::answerText), stream);
    }
}
