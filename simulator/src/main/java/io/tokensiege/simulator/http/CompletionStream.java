package io.tokensiege.simulator.http;

import io.tokensiege.simulator.engine.Channel;
import io.tokensiege.simulator.engine.EngineListener;
import io.tokensiege.simulator.engine.TextGenerator;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

/**
 * Turns one request's engine events into an OpenAI chat-completions response: SSE chunks (role chunk,
 * token chunks in the profile's reasoning field or {@code content}, a {@code finish_reason} chunk, an
 * optional usage-only chunk, {@code [DONE]}) or, when not streaming, one JSON body. Applies the
 * request's fault and stamps the ground truth at each write.
 *
 * <p>Engine callbacks arrive on the driver thread; a stall's release runs on a Vert.x timer, hence
 * the synchronisation.
 */
final class CompletionStream implements EngineListener {
    private final Vertx vertx;
    private final Context context;
    private final WriteBatcher batcher;
    private final HttpServerResponse response;
    private final ChatRequest request;
    private final GroundTruth truth;
    private final FaultPlan fault;
    private final TextGenerator text;
    private final String reasoningField;
    private final long streamKey;
    private final String prefix;
    private final StringBuilder answer = new StringBuilder();
    private final StringBuilder reasoning = new StringBuilder();
    private StringBuilder held;
    private boolean dropped;
    private int reasoningTokens;
    private volatile boolean clientGone;
    private final Runnable onLeftSystem;
    private final Runnable onClientGone;
    private boolean leftSystem;

    CompletionStream(Vertx vertx, HttpServerResponse response, ChatRequest request, GroundTruth truth,
                     FaultPlan fault, TextGenerator text, String reasoningField, Runnable onLeftSystem, Runnable onClientGone,
                     WriteBatcher batcher) {
        this.batcher = batcher;
        this.onLeftSystem = onLeftSystem;
        this.onClientGone = onClientGone;
        this.vertx = vertx;
        this.context = vertx.getOrCreateContext(); // the connection's event loop: constructed in its request handler
        this.response = response;
        this.request = request;
        this.truth = truth;
        this.fault = fault;
        this.text = text;
        this.reasoningField = reasoningField;
        this.streamKey = TextGenerator.keyOf(request.promptText());
        this.prefix = "data: {\"id\":\"chatcmpl-sim-" + truth.id + "\",\"object\":\"chat.completion.chunk\",\"created\":"
                + System.currentTimeMillis() / 1000 + ",\"model\":" + Json.quote(request.model()) + ",\"choices\":[";
        response.closeHandler(v -> clientClosed());
    }

    void start() {
        if (request.stream()) {
            response.setChunked(true).putHeader("content-type", "text/event-stream").putHeader("cache-control", "no-cache");
            String role = prefix + "{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}]}\n\n";
            batcher.run(context, () -> {
                response.write(Buffer.buffer(role));
                truth.headersNanos = System.nanoTime();
            });
        }
    }

    @Override
    public synchronized void onAdmitted(long id, long simNanos, int cachedTokens) {
        truth.admittedNanos = System.nanoTime();
        truth.cachedTokens = cachedTokens;
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
        if (dropped || clientGone || fault.kind() == FaultPlan.Kind.EMPTY) return;
        String token = text.token(streamKey, index, channel);
        if (channel == Channel.REASONING) {
            reasoningTokens++;
            reasoning.append(token);
        } else {
            answer.append(token);
        }
        if (!request.stream()) {
            truth.token(System.nanoTime());
            return;
        }
        if (fault.kind() == FaultPlan.Kind.STALL && index == fault.atToken()) {
            held = new StringBuilder();
            vertx.setTimer(Math.max(1, fault.stallMs()), t -> batcher.run(context, this::release));
        }
        if (fault.kind() == FaultPlan.Kind.MALFORMED && index == fault.atToken()) {
            write(prefix + "{\"index\":0,\"delta\":{\"content\":\"" + token.trim() + "\n\n", true);
            return;
        }
        String delta = channel == Channel.REASONING
                ? ("reasoning".equals(reasoningField) ? "\"content\":\"\",\"reasoning\":" : "\"reasoning_content\":") + Json.quote(token)
                : "\"content\":" + Json.quote(token);
        write(prefix + "{\"index\":0,\"delta\":{" + delta + "},\"finish_reason\":null}]}\n\n", true);
        if (fault.kind() == FaultPlan.Kind.DROP && index + 1 == fault.atToken()) drop();
    }

    @Override
    public synchronized void onFinished(long id, long simNanos) {
        leaveSystem();
        if (dropped || clientGone) {
            truth.outcome = dropped ? "dropped" : "client_closed";
            truth.endNanos = System.nanoTime();
            return;
        }
        if (fault.kind() == FaultPlan.Kind.DROP && fault.atToken() >= request.maxTokens()) {
            drop(); // a drop after the last token: the stream ends without finish_reason or [DONE]
            return;
        }
        String usage = usageJson();
        if (request.stream()) {
            StringBuilder end = new StringBuilder(prefix).append("{\"index\":0,\"delta\":{},\"finish_reason\":\"length\"}]}\n\n");
            if (request.includeUsage()) end.append(prefix).append("],\"usage\":").append(usage).append("}\n\n");
            end.append("data: [DONE]\n\n");
            write(end.toString(), false);
            if (held != null) held.append('\u0000'); // end after the held tokens are released
            else end();
        } else {
            String reasoningPart = reasoning.isEmpty() ? "" : "," + Json.quote(reasoningField) + ":" + Json.quote(reasoning.toString());
            String body = "{\"id\":\"chatcmpl-sim-" + truth.id + "\",\"object\":\"chat.completion\",\"created\":"
                    + System.currentTimeMillis() / 1000 + ",\"model\":" + Json.quote(request.model())
                    + ",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":" + Json.quote(answer.toString())
                    + reasoningPart + "},\"finish_reason\":\"length\"}],\"usage\":" + usage + "}";
            batcher.run(context, () -> {
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

    private void write(String chunk, boolean isToken) {
        if (held != null) {
            held.append(chunk);
            if (isToken) held.append('\u0001'); // marks a token for the ground truth at release
            return;
        }
        // Written on the connection's own event loop, and stamped there: the truth is when the bytes went
        // to the socket, not when the engine thread produced them (a busy loop can lag by milliseconds).
        batcher.run(context, () -> {
            long flushed = System.nanoTime(); // stamped before the write: a client can never see the token earlier
            response.write(Buffer.buffer(chunk));
            if (isToken) truth.token(flushed);
        });
    }

    private synchronized void release() {
        StringBuilder pending = held;
        held = null;
        if (pending == null || dropped || clientGone) return;
        boolean endAfter = false;
        int start = 0;
        for (int i = 0; i < pending.length(); i++) {
            char c = pending.charAt(i);
            if (c == '\u0001' || c == '\u0000') {
                long flushed = System.nanoTime();
                if (i > start) response.write(Buffer.buffer(pending.substring(start, i)));
                if (c == '\u0001') truth.token(flushed);
                else endAfter = true;
                start = i + 1;
            }
        }
        if (start < pending.length()) response.write(Buffer.buffer(pending.substring(start)));
        if (endAfter) end();
    }

    /** The truth is recorded before the end leaves, so a client holding the whole response never reads it as in flight. */
    private void end() {
        batcher.run(context, () -> {
            truth.endNanos = System.nanoTime();
            truth.outcome = "ok";
            response.end();
        });
    }

    private void drop() {
        dropped = true;
        batcher.run(context, () -> {
            truth.outcome = "dropped";
            truth.endNanos = System.nanoTime();
            response.reset();
        });
    }
}
