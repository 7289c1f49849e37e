package io.tokensiege.simulator.http;

import io.netty.buffer.Unpooled;
import io.tokensiege.simulator.engine.Channel;
import io.tokensiege.simulator.engine.EngineListener;
import io.tokensiege.simulator.engine.TextGenerator;
import io.tokensiege.simulator.tools.ToolCall;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
 * the synchronisation. A hot-path class: larger than most, so that a token costs no String or JSON work.
 */
final class CompletionStream implements EngineListener {
    // The hot path builds each token chunk from these pieces: no String, no JSON work per token.
    private static final byte[] DELTA_OPEN = ascii("{\"index\":0,\"delta\":{");
    private static final byte[] CONTENT_KEY = ascii("\"content\":");
    private static final byte[] OLLAMA_REASONING_KEY = ascii("\"content\":\"\",\"reasoning\":");
    private static final byte[] VLLM_REASONING_KEY = ascii("\"reasoning_content\":");
    private static final byte[] TOKEN_CLOSE = ascii("},\"finish_reason\":null}]}\n\n");
    /** llama.cpp's chat parser failure, sent inside a 200 stream. */
    static final String STREAM_ERROR_MESSAGE = "The model produced output that does not match the expected peg-native format";
    private static final String STREAM_ERROR_EVENT = "data: {\"error\":{\"code\":500,\"message\":\"" + STREAM_ERROR_MESSAGE
            + "\",\"type\":\"server_error\"}}\n\n";
    /** Quoted JSON bytes of each token text; the generator's vocabulary is small and fixed. */
    private static final Map<String, byte[]> QUOTED = new ConcurrentHashMap<>();
    private static final long NOT_A_TOKEN = Long.MIN_VALUE;

    private record Held(Buffer chunk, long scheduledSimNanos) {}

    private final Vertx vertx;
    private final WriteBatcher.Lane lane;
    private final HttpServerRequest httpRequest;
    private final HttpServerResponse response;
    private final ChatRequest request;
    private final AnswerPlan plan;
    private final GroundTruth truth;
    private final FaultPlan fault;
    private final StreamServices services;
    private final StreamStyle style;
    private final EngineTimes times;
    private final long streamKey;
    private final String prefix;
    private final byte[] prefixBytes;
    private final byte[] reasoningKey;
    private final StringBuilder content = new StringBuilder();
    private final StringBuilder reasoning = new StringBuilder();
    private final Runnable onLeftSystem;
    private final Runnable onClientGone;
    /** Writes held back by a stall fault, released in order when it ends; null when not stalling. */
    private List<Held> held;
    private String endAfterHeld;
    private boolean dropped;
    private boolean errored;
    private int reasoningTokens;
    private volatile boolean clientGone;
    private boolean leftSystem;

    CompletionStream(Vertx vertx, HttpServerRequest httpRequest, ChatRequest request, AnswerPlan plan, GroundTruth truth, FaultPlan fault,
                     StreamServices services, Runnable onLeftSystem, Runnable onClientGone) {
        this.vertx = vertx;
        this.lane = services.batcher().lane(vertx.getOrCreateContext()); // the connection's event loop: constructed in its request handler
        this.httpRequest = httpRequest;
        this.response = httpRequest.response();
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
        this.prefix = "data: {\"id\":\"chatcmpl-sim-" + truth.id + "\",\"object\":\"chat.completion.chunk\",\"created\":"
                + System.currentTimeMillis() / 1000 + ",\"model\":" + Json.quote(request.model()) + ",\"choices\":[";
        this.prefixBytes = prefix.getBytes(StandardCharsets.UTF_8);
        this.reasoningKey = "reasoning".equals(style.reasoningField()) ? OLLAMA_REASONING_KEY : VLLM_REASONING_KEY;
        response.closeHandler(v -> clientClosed());
    }

    void start() {
        if (request.stream()) {
            response.setChunked(true);
            style.streamHeaders().forEach(response::putHeader);
            String role = prefix + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":" + (style.roleContentNull() ? "null" : "\"\"")
                    + "},\"finish_reason\":null}]}\n\n";
            lane.run(() -> {
                response.write(Buffer.buffer(role));
                truth.headersNanos = System.nanoTime();
            });
        }
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
        if (fault.kind() == FaultPlan.Kind.STALL && index == fault.atToken()) {
            held = new ArrayList<>();
            // Timed from the lane, after the writes before it: the gap on the wire is at least the stall, even when the loop lags.
            lane.run(() -> vertx.setTimer(Math.max(1, fault.stallMs()), t -> lane.run(this::release)));
        }
        if (fault.kind() == FaultPlan.Kind.MALFORMED && index == fault.atToken()) {
            write(Buffer.buffer(prefix + "{\"index\":0,\"delta\":{\"content\":\"" + token.trim() + "\n\n"), simNanos);
            return;
        }
        if (toolToken) {
            write(Buffer.buffer(prefix + "{\"index\":0,\"delta\":{\"tool_calls\":[" + toolCallDelta(index, token) + "]},\"finish_reason\":null}]}\n\n"), simNanos);
        } else {
            byte[] quoted = QUOTED.computeIfAbsent(token, t -> Json.quote(t).getBytes(StandardCharsets.UTF_8));
            byte[] key = channel == Channel.REASONING ? reasoningKey : CONTENT_KEY;
            write(BufferInternal.buffer(Unpooled.wrappedBuffer(concat(prefixBytes, DELTA_OPEN, key, quoted, TOKEN_CLOSE))), simNanos);
        }
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
            StringBuilder end = new StringBuilder(prefix).append("{\"index\":0,\"delta\":{},\"finish_reason\":\"").append(plan.finishReason())
                    .append("\"}]}\n\n");
            if (request.includeUsage()) end.append(prefix).append("],\"usage\":").append(usage).append(timings).append("}\n\n");
            end.append("data: [DONE]\n\n");
            write(Buffer.buffer(end.toString()), NOT_A_TOKEN);
            endStream("ok");
        } else {
            String reasoningPart = reasoning.isEmpty() ? "" : "," + Json.quote(style.reasoningField()) + ":" + Json.quote(reasoning.toString());
            String body = "{\"id\":\"chatcmpl-sim-" + truth.id + "\",\"object\":\"chat.completion\",\"created\":"
                    + System.currentTimeMillis() / 1000 + ",\"model\":" + Json.quote(request.model())
                    + ",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\"," + messageBody() + reasoningPart
                    + "},\"finish_reason\":\"" + plan.finishReason() + "\"}],\"usage\":" + usage + timings + "}";
            lane.run(() -> {
                truth.endNanos = System.nanoTime();
                truth.outcome = "ok";
                response.putHeader("content-type", "application/json").end(body);
            });
        }
    }

    /** {@code "content":...} of a non-streamed answer, or {@code "content":null,"tool_calls":[...]} for a call. */
    private String messageBody() {
        if (!plan.callsTool()) return "\"content\":" + Json.quote(content.toString());
        return "\"content\":null,\"tool_calls\":[{\"id\":" + Json.quote(plan.call().id()) + ",\"type\":\"function\",\"function\":{\"name\":"
                + Json.quote(plan.call().name()) + ",\"arguments\":" + Json.quote(content.toString()) + "}}]";
    }

    /** A call's token text: its name first, then its argument fragments. */
    private String toolText(int index) {
        int k = index - plan.reasoningTokens();
        return k == 0 ? plan.call().name() : plan.call().fragments().get(k - 1);
    }

    private String toolCallDelta(int index, String token) {
        if (index == plan.reasoningTokens()) {
            return "{\"index\":0,\"id\":" + Json.quote(plan.call().id()) + ",\"type\":\"function\",\"function\":{\"name\":" + Json.quote(token)
                    + ",\"arguments\":\"\"}}";
        }
        return "{\"index\":0,\"function\":{\"arguments\":" + Json.quote(token) + "}}";
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
        String details = reasoningTokens > 0 ? ",\"completion_tokens_details\":{\"reasoning_tokens\":" + reasoningTokens + "}" : "";
        return "{\"prompt_tokens\":" + request.promptTokens() + ",\"completion_tokens\":" + completion
                + ",\"total_tokens\":" + (request.promptTokens() + completion)
                + ",\"prompt_tokens_details\":{\"cached_tokens\":" + truth.cachedTokens + "}" + details + "}";
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
            write(Buffer.buffer(STREAM_ERROR_EVENT), NOT_A_TOKEN);
            endStream("stream_error");
        } else {
            lane.run(() -> {
                truth.endNanos = System.nanoTime();
                truth.outcome = "stream_error";
                services.habits().error(httpRequest, 500, STREAM_ERROR_MESSAGE, "server_error", null, null);
            });
        }
    }

    /** Writes {@code chunk} on the connection's loop; a token chunk carries the simulated instant its engine emitted it. */
    private void write(Buffer chunk, long scheduledSimNanos) {
        if (held != null) {
            held.add(new Held(chunk, scheduledSimNanos));
            return;
        }
        // Written on the connection's own event loop, and stamped there: the truth is when the bytes went
        // to the socket, not when the engine thread produced them (a busy loop can lag by milliseconds).
        lane.run(() -> writeNow(chunk, scheduledSimNanos, true));
    }

    private void writeNow(Buffer chunk, long scheduledSimNanos, boolean onSchedule) {
        long flushed = System.nanoTime(); // stamped before the write: a client can never see the token earlier
        response.write(chunk);
        if (scheduledSimNanos != NOT_A_TOKEN) {
            truth.token(flushed);
            if (onSchedule) services.writeLag().tokenWritten(scheduledSimNanos, flushed);
        }
    }

    private synchronized void release() {
        List<Held> pending = held;
        held = null;
        if (pending == null || dropped || clientGone) return;
        for (Held h : pending) writeNow(h.chunk, h.scheduledSimNanos, false); // late on purpose: not the simulator's lag
        if (endAfterHeld != null) end(endAfterHeld);
    }

    /** Ends the stream after its last write, which a stall may still be holding back. */
    private void endStream(String outcome) {
        if (held != null) endAfterHeld = outcome;
        else end(outcome);
    }

    /**
     * The truth is recorded before the end leaves, so a client holding the whole response never reads it as in flight.
     * A server that closes after streaming (llama.cpp) closes once the end is written.
     */
    private void end(String outcome) {
        lane.run(() -> {
            truth.endNanos = System.nanoTime();
            truth.outcome = outcome;
            var ended = response.end();
            if (style.closeAfterStream()) ended.onComplete(done -> httpRequest.connection().close());
        });
    }

    /** One array, wrapped without a copy: Vert.x's own buffers cost a metered allocation per token on this path. */
    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] p : parts) length += p.length;
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private void drop() {
        dropped = true;
        lane.run(() -> {
            truth.outcome = "dropped";
            truth.endNanos = System.nanoTime();
            response.reset();
        });
    }
}
