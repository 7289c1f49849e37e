package io.tokensiege.worker.load;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokensiege.common.chat.ChatMessage;
import io.tokensiege.common.json.Json;
import io.tokensiege.common.prompt.StepPrompts;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.tokensiege.common.plan.Scenario;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * Builds the request of each (stream, sequence number) of a step: the prompt the scenario asks for,
 * the target's {@code extra_body} merged in, usage requested, and the headers (with the API key,
 * which is never logged).
 */
final class RequestFactory {
    static final int WARMUP_MAX_TOKENS = 32;
    private final StepSpec step;
    private final String apiKey;
    private final StepPrompts prompts;

    StepPrompts prompts() {
        return prompts;
    }

    RequestFactory(StepSpec step, String workerId, String apiKey) {
        this.step = step;
        this.apiKey = apiKey;
        this.prompts = new StepPrompts(step, workerId);
    }

    /** Where connections go: the chat URL's host, port and scheme. */
    HttpConnectOptions connectOptions() {
        URI uri = URI.create(step.target().chatCompletionsUrl());
        boolean ssl = "https".equalsIgnoreCase(uri.getScheme());
        return new HttpConnectOptions().setHost(uri.getHost()).setPort(uri.getPort() > 0 ? uri.getPort() : ssl ? 443 : 80).setSsl(ssl)
                .setConnectTimeout(step.timeouts().connectMillis());
    }

    /** The request on a connection to {@link #connectOptions()}. */
    RequestOptions options() {
        URI uri = URI.create(step.target().chatCompletionsUrl());
        String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setHost(uri.getHost()).setPort(connectOptions().getPort()).setURI(path)
                .putHeader("content-type", "application/json").putHeader("accept", "text/event-stream");
        if (step.target().headers() != null) step.target().headers().forEach(o::putHeader);
        if (apiKey != null) o.putHeader(step.target().keyHeaderName(), step.target().keyHeaderValue(apiKey));
        return o;
    }

    int maxTokens() {
        return step.kind() == StepKind.WARMUP ? Math.min(WARMUP_MAX_TOKENS, step.maxTokens()) : step.maxTokens();
    }

    Buffer body(int stream, int seq) {
        return body(prompts.messages(stream, seq), null, null);
    }

    /** A mixed step's request drawn from {@code part}, with the part's max_tokens. */
    Buffer body(Scenario.Mix.Part part, int stream, int seq) {
        return body(prompts.partMessages(part, stream, seq), null, null, part.maxTokens());
    }

    Buffer probeBody(Scenario.Mix.Probe probe, int seq) {
        return body(prompts.probeMessages(probe.tokens(), seq), null, null, probe.maxTokens());
    }

    /** The part request {@code seq} of {@code stream} draws from, by weight: deterministic in the step's seed. */
    Scenario.Mix.Part part(int stream, int seq) {
        Scenario.Mix mix = step.mix();
        int pick = new java.util.SplittableRandom(step.seed() * 7_919L + stream * 100_003L + seq).nextInt(mix.totalWeight());
        for (Scenario.Mix.Part p : mix.parts()) {
            if (pick < p.weight()) return p;
            pick -= p.weight();
        }
        return mix.parts().get(mix.parts().size() - 1);
    }

    /**
     * A request with these messages (an agent's whole history: assistant tool calls and tool results included), and
     * with {@code tools} offered under {@code toolChoice} when given.
     */
    Buffer body(List<ChatMessage> history, List<Map<String, Object>> tools, Object toolChoice) {
        return body(history, tools, toolChoice, maxTokens());
    }

    /**
     * A trace record as recorded: its messages, its tools and tool_choice (only when it gave them), its max_tokens or the
     * step's; its first message led by the step's tag (see {@link #stepTagged}).
     */
    Buffer body(io.tokensiege.common.trace.TraceRecord r) {
        return body(stepTagged(r.messages()), r.tools(), r.toolChoice(), r.maxTokens() != null ? r.maxTokens() : maxTokens());
    }

    /**
     * The messages with the step's nonce leading the first text among them: every request of a step shares it (sessions and
     * records that share a prefix share it still, as recorded), and no other step does. Without it a sweep's second level
     * found the first level's prompts in the server's cache (811 of 812 prompt tokens cached at 4 streams, against 8-64 at 1).
     */
    List<ChatMessage> stepTagged(List<ChatMessage> messages) {
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage m = messages.get(i);
            if (m.content() == null) continue; // an assistant's tool calls alone: the first message with text carries the tag
            List<ChatMessage> tagged = new java.util.ArrayList<>(messages);
            tagged.set(i, new ChatMessage(m.role(), "[" + step.nonce() + "] " + m.content(), m.toolCalls(), m.toolCallId()));
            return tagged;
        }
        return messages;
    }

    private Buffer body(List<ChatMessage> history, List<Map<String, Object>> tools, Object toolChoice, int maxTokens) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("model", step.target().model());
        ArrayNode messages = root.putArray("messages");
        for (ChatMessage m : history) message(messages.addObject(), m);
        if (tools != null && !tools.isEmpty()) {
            root.set("tools", Json.MAPPER.valueToTree(tools));
            if (toolChoice != null) root.set("tool_choice", Json.MAPPER.valueToTree(toolChoice));
        }
        root.put("max_tokens", maxTokens);
        root.put("temperature", step.temperature());
        root.put("stream", true);
        root.putObject("stream_options").put("include_usage", true);
        if (step.target().extraBody() != null) step.target().extraBody().forEach((k, v) -> {
            if (!root.has(k) || !(k.equals("tools") || k.equals("tool_choice"))) root.set(k, Json.MAPPER.valueToTree(v)); // the scenario's tools win
        });
        return Buffer.buffer(root.toString());
    }

    /** One message in OpenAI's shape: an assistant's tool calls with their ids, a tool result with the id it answers. */
    private static void message(ObjectNode out, ChatMessage m) {
        out.put("role", m.role());
        if (m.toolCalls() != null && !m.toolCalls().isEmpty()) {
            if (m.content() == null || m.content().isEmpty()) out.putNull("content");
            else out.put("content", m.content());
            ArrayNode calls = out.putArray("tool_calls");
            for (ChatMessage.ToolCall c : m.toolCalls()) {
                ObjectNode call = calls.addObject().put("id", c.id()).put("type", "function");
                call.putObject("function").put("name", c.name()).put("arguments", c.arguments());
            }
        } else {
            out.put("content", m.content());
        }
        if (m.toolCallId() != null) out.put("tool_call_id", m.toolCallId());
    }
}
