package io.tokensiege.simulator.http;

import io.tokensiege.simulator.engine.Channel;
import io.tokensiege.simulator.engine.EngineListener;
import io.tokensiege.simulator.engine.TextGenerator;
import io.tokensiege.simulator.engine.ToolCall;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;

/**
 * Turns one request's engine events into an OpenAI chat-completions response: SSE chunks (role chunk,
 * token chunks in the server's reasoning field or {@code content}, a {@code finish_reason} chunk, an
 * optional usage-only chunk, {@code [DONE]}) or, when not streaming, one JSON body, in the style of the
 * profile's server. Applies the request's fault and stamps the ground truth at each write.
 *
 * <p>A tool-call answer ({@link AnswerPlan}) streams as OpenAI's does: after any reasoning, a first delta
 * {@code tool_calls:[{index:0,id,type:"function",function:{name,arguments:""}}]}, then one
 * {@code tool_calls:[{index:0,function:{arguments:FRAGMENT}}]} per token, then {@code finish_reason:
 * "tool_calls"}; not streamed, {@code message.tool_calls} with the whole arguments and {@code content: null}.
 *
 * <p>Engine callbacks arrive on the driver thread; a stall's release runs on a Vert.x timer, hence
 * the synchronisation, which guards its {@link ResponseWriter} too. The chunks' bytes are {@link ChunkFormat}'s,
 * built so that a token costs no String or JSON work.
 */
final class CompletionStream implements EngineListener {
    private final Vertx vertx;
    private final ChatRequest request;
    private final AnswerPlan plan;
    private final GroundTruth truth;
    private final FaultPlan fault;
    private final StreamServices services;
    private final StreamStyle style;
    private final EngineTimes times;
    private final long streamKey;
    private final ChunkFormat format;
    private final ResponseWriter writer;
    private final StringBuilder content = new StringBuilder();
    private final StringBuilder reasoning = new StringBuilder();
    private final Runnable onLeftSystem;
    private final Runnable onClientGone;
    private boolean dropped;
    private boolean errored;
    private int reasoningTokens;
    private volatile boolean clientGone;
    private boolean leftSystem;

    CompletionStream(Vertx vertx, HttpServerRequest httpRequest, ChatRequest request, AnswerPlan plan, GroundTruth truth, FaultPlan fault,
                     StreamServices services, Runnable onLeftSystem, Runnable onClientGone) {
        this.vertx = vertx;
        WriteBatcher.Lane lane = services.batcher().lane(vertx.getOrCreateContext()); // the connection's event loop: constructed in its request handler
        this.request = request;
        this.plan = plan;
        this.truth = truth;
        this.fault = fault;
        this.services = services;
        this.style = services.style();
        this.times = new EngineTimes(truth, services.served(), request.promptTokens());
        this.onLeftSystem = onLeftSystem;
        this.onClientGone = onClientGone;
        this.streamKey = TextGenerator.keyOf(request.promptText());
        this.format = new ChunkFormat(truth.id, request.model(), style);
        this.writer = new ResponseWriter(lane, httpRequest, truth, services.writeLag(), style.closeAfterStream());
        writer.onClientClosed(this::clientClosed);
    }

    void start() {
        if (request.stream()) writer.startStream(style.streamHeaders(), format.role());
    }

    @Override
    public synchronized void onQueued(long id, long simNanos) {
        times.queued(simNanos);
    }

    @Override
    public synchronized void onAdmitted(long id, long simNanos, int cachedTokens) {
        times.admitted(simNanos, cachedTokens);
    }

    @Override
    public synchronized void onPreempted(long id, long simNanos) {
        times.preempted(simNanos);
    }

    @Override
    public synchronized void onResumed(long id, long simNanos) {
        times.resumed(simNanos);
    }

    private synchronized void clientClosed() {
        clientGone = true;
        leaveSystem(); // a client that gave up no longer counts toward the 429 limit
        onClientGone.run();
    }

    /** Once per request: it finished, or its client left. */
    private void leaveSystem() {
        if (leftSystem) return;
        leftSystem = true;
        onLeftSystem.run();
    }

    @Override
    public synchronized void onToken(long id, int index, Channel channel, long simNanos) {
        if (!times.token(index, simNanos)) return;
        if (dropped || clientGone || errored || fault.kind() == FaultPlan.Kind.EMPTY) return;
        if (fault.kind() == FaultPlan.Kind.STREAM_ERROR && index == fault.atToken()) {
            streamError();
            return;
        }
        boolean toolToken = channel == Channel.CONTENT && plan.callsTool();
        String token = toolToken ? toolText(index) : services.text().token(streamKey, index, channel);
        if (channel == Channel.REASONING) reasoningTokens++;
        if (!request.stream()) {
            if (!toolToken || index > plan.reasoningTokens()) (channel == Channel.REASONING ? reasoning : content).append(token);
            truth.token(System.nanoTime());
            return;
        }
        if (fault.kind() == FaultPlan.Kind.STALL && index == fault.atToken()) writer.stall(vertx, fault.stallMs(), this::release);
        if (fault.kind() == FaultPlan.Kind.MALFORMED && index == fault.atToken()) {
            writer.token(format.malformed(token), simNanos);
            return;
        }
        if (toolToken) writer.token(format.toolCall(plan, index, token), simNanos);
        else writer.token(format.token(token, channel == Channel.REASONING), simNanos);
        if (fault.kind() == FaultPlan.Kind.DROP && index + 1 == fault.atToken()) drop();
    }

    @Override
    public synchronized void onFinished(long id, long simNanos) {
        times.left();
        leaveSystem();
        if (errored) return; // already answered; this is the engine letting go of the cancelled sequence
        if (dropped || clientGone) {
            truth.outcome = dropped ? "dropped" : "client_closed";
            truth.endNanos = System.nanoTime();
            return;
        }
        if (fault.kind() == FaultPlan.Kind.DROP && fault.atToken() >= plan.tokens()) {
            drop(); // a drop after the last token: the stream ends without finish_reason or [DONE]
            return;
        }
        if (fault.kind() == FaultPlan.Kind.STREAM_ERROR && fault.atToken() >= plan.tokens()) {
            streamError();
            return;
        }
        String usage = usageJson();
        String timings = style.timings() ? ",\"timings\":" + times.timings().toJson() : "";
        if (request.stream()) {
            writer.chunk(format.end(plan.finishReason(), request.includeUsage(), usage, timings));
            writer.endStream("ok");
        } else {
            writer.whole(format.body(plan, content, reasoning, usage, timings));
        }
    }

    /** A call's token text: its name first, then its argument fragments. */
    private String toolText(int index) {
        int k = index - plan.reasoningTokens();
        return k == 0 ? plan.call().name() : plan.call().fragments().get(k - 1);
    }

    /**
     * The text this answer appends to the prompt in the sequence the server holds: the reasoning as generated,
     * then the template's rendering of the content or call (what the same assistant message renders as when a
     * client sends it back; clients do not send reasoning back, so after a reasoning answer only the prompt is reused).
     * Called once on the engine thread when the answer is complete.
     */
    String answerText() {
        StringBuilder thinking = new StringBuilder();
        StringBuilder text = new StringBuilder();
        TextGenerator generator = services.text();
        for (int i = 0; i < plan.tokens(); i++) {
            if (i < plan.reasoningTokens()) thinking.append(generator.token(streamKey, i, Channel.REASONING));
            else if (!plan.callsTool()) text.append(generator.token(streamKey, i, Channel.CONTENT));
        }
        List<ToolCall> calls = plan.callsTool()
                ? List.of(new ToolCall(plan.call().id(), plan.call().name(), plan.argumentsSent()))
                : List.of();
        return thinking + services.habits().template().renderAnswer(text.toString(), calls);
    }

    private String usageJson() {
        int completion = fault.kind() == FaultPlan.Kind.EMPTY ? 0 : plan.tokens();
        return ChunkFormat.usage(request.promptTokens(), completion, reasoningTokens, truth.cachedTokens);
    }

    /**
     * The server failed mid-answer: an {@code error} event inside the 200 stream, then the end (and, for
     * llama.cpp, the close). A non-streamed request gets the same error as a 500. The engine stops generating.
     */
    private void streamError() {
        errored = true;
        times.left();
        onClientGone.run();
        if (request.stream()) {
            writer.chunk(ChunkFormat.streamErrorEvent());
            writer.endStream("stream_error");
        } else {
            writer.serverError(services.habits());
        }
    }

    private synchronized void release() {
        writer.release(dropped || clientGone);
    }

    private void drop() {
        dropped = true;
        writer.drop();
    }
}
