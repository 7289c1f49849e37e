package io.tokensiege.worker.load;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokensiege.common.json.Json;
import io.tokensiege.common.prompt.ChatMessage;
import io.tokensiege.common.prompt.StepPrompts;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpConnectOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.net.URI;

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
        if (apiKey != null) o.putHeader("authorization", "Bearer " + apiKey);
        return o;
    }

    int maxTokens() {
        return step.kind() == StepKind.WARMUP ? Math.min(WARMUP_MAX_TOKENS, step.maxTokens()) : step.maxTokens();
    }

    Buffer body(int stream, int seq) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("model", step.target().model());
        ArrayNode messages = root.putArray("messages");
        for (ChatMessage m : prompts.messages(stream, seq)) messages.addObject().put("role", m.role()).put("content", m.content());
        root.put("max_tokens", maxTokens());
        root.put("temperature", step.temperature());
        root.put("stream", true);
        root.putObject("stream_options").put("include_usage", true);
        if (step.target().extraBody() != null) step.target().extraBody().forEach((k, v) -> root.set(k, Json.MAPPER.valueToTree(v)));
        return Buffer.buffer(root.toString());
    }
}
