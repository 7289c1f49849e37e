package io.tokensiege.simulator.http;

import io.netty.buffer.Unpooled;
import io.tokensiege.simulator.engine.Channel;
import io.tokensiege.simulator.engine.EngineListener;
import io.tokensiege.simulator.engine.TextGenerator;
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
    private final GroundTruth truth;
    private final FaultPlan fault;
    private final StreamServices services;
    private final StreamStyle style;
    private final EngineTimes times;
    private final long streamKey;
    private final String prefix;
    private final byte[] prefixBytes;
    private final byte[] reasoningKey;
    private final StringBuilder answer = new StringBuilder();
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

    CompletionStream(Vertx vertx, HttpServerRequest httpRequest, ChatRequest request, GroundTruth truth, FaultPlan fault,
                     StreamServices services, Runnable onLeftSystem, Runnable onClientGone) {
        this.vertx = vertx;
        this.lane = services.batcher().lane(vertx.getOrCreateContext()); // the connection's event loop: constructed in its request handler
        this.httpRequest = httpRequest;
        this.response = httpRequest.response();
        this.request = request;
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
        String token = services.text().token(streamKey, index, channel);
        if (channel == Channel.REASONING) reasoningTokens++;
        if (!request.stream()) {
            (channel == Channel.REASONING ? reasoning : answer).append(token);
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
        byte[] quoted = QUOTED.computeIfAbsent(token, t -> Json.quote(t).getBytes(StandardCharsets.UTF_8));
        byte[] key = channel == Channel.REASONING ? reasoningKey : CONTENT_KEY;
        write(BufferInternal.buffer(Unpooled.wrappedBuffer(concat(prefixBytes, DELTA_OPEN, key, quoted, TOKEN_CLOSE))), simNanos);
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
        if (fault.kind() == FaultPlan.Kind.DROP && fault.atToken() >= request.maxTokens()) {
            drop(); // a drop after the last token: the stream ends without finish_reason or [DONE]
            return;
        }
        if (fault.kind() == FaultPlan.Kind.STREAM_ERROR && fault.atToken() >= request.maxTokens()) {
            streamError();
            return;
        }
        String usage = usageJson();
        String timings = style.timings() ? ",\"timings\":" + times.timings().toJson() : "";
        if (request.stream()) {
            StringBuilder end = new StringBuilder(prefix).append("{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}\n\n");
            if (request.includeUsage()) end.append(prefix).append("],\"usage\":").append(usage).append(timings).append("}\n\n");
            end.append("data: [DONE]\n\n");
            write(Buffer.buffer(end.toString()), NOT_A_TOKEN);
            endStream("ok");
        } else {
            String reasoningPart = reasoning.isEmpty() ? "" : "," + Json.quote(style.reasoningField()) + ":" + Json.quote(reasoning.toString());
            String body = "{\"id\":\"chatcmpl-sim-" + truth.id + "\",\"object\":\"chat.completion\",\"created\":"
                    + System.currentTimeMillis() / 1000 + ",\"model\":" + Json.quote(request.model())
                    + ",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":" + Json.quote(answer.toString())
                    + reasoningPart + "},\"finish_reason\":\"length\"}],\"usage\":" + usage + timings + "}";
            lane.run(() -> {
                truth.endNanos = System.nanoTime();
                truth.outcome = "ok";
                response.putHeader("content-type", "application/json").end(body);
            });
        }
    }

    private String usageJson() {
        int completion = fault.kind() == FaultPlan.Kind.EMPTY ? 0 : request.maxTokens();
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
