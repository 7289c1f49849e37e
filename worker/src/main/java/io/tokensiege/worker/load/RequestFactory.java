package io.tokensiege.worker.load;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokensiege.common.json.Json;
import io.tokensiege.common.prompt.ChatMessage;
import io.tokensiege.common.prompt.PromptFactory;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.List;

/**
 * Builds the request of each (stream, sequence number) of a step: the prompt the scenario asks for,
 * the target's {@code extra_body} merged in, usage requested, and the headers (with the API key,
 * which is never logged).
 */
final class RequestFactory {
    static final int WARMUP_MAX_TOKENS = 32;
    private final StepSpec step;
    private final String workerId;
    private final String apiKey;
    private final PromptFactory prompts;
    private final String agentPrefix;

    RequestFactory(StepSpec step, String workerId, String apiKey) {
        this.step = step;
        this.workerId = workerId;
        this.apiKey = apiKey;
        this.prompts = new PromptFactory(step.seed());
        this.agentPrefix = step.kind() == StepKind.TURNS ? prompts.agentPrefix(step.prefixTokens(), step.prefixParts(), step.nonce()) : null;
    }

    RequestOptions options() {
        RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(step.target().chatCompletionsUrl())
                .putHeader("content-type", "application/json").putHeader("accept", "text/event-stream");
        if (step.target().headers() != null) step.target().headers().forEach(o::putHeader);
        if (apiKey != null) o.putHeader("authorization", "Bearer " + apiKey);
        return o.setConnectTimeout(step.timeouts().connectMillis());
    }

    Buffer body(int stream, int seq) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("model", step.target().model());
        ArrayNode messages = root.putArray("messages");
        for (ChatMessage m : messages(stream, seq)) messages.addObject().put("role", m.role()).put("content", m.content());
        root.put("max_tokens", step.kind() == StepKind.WARMUP ? Math.min(WARMUP_MAX_TOKENS, step.maxTokens()) : step.maxTokens());
        root.put("temperature", step.temperature());
        root.put("stream", true);
        root.putObject("stream_options").put("include_usage", true);
        if (step.target().extraBody() != null) step.target().extraBody().forEach((k, v) -> root.set(k, Json.MAPPER.valueToTree(v)));
        return Buffer.buffer(root.toString());
    }

    private List<ChatMessage> messages(int stream, int seq) {
        long salt = stream * 100_003L + seq;
        return switch (step.kind()) {
            case WARMUP -> prompts.coldPrompt(32, "warmup " + step.nonce() + " " + workerId + " " + seq, salt);
            case TURNS -> prompts.agentTurn(agentPrefix, seq + 1);
            default -> step.uniquePrompt()
                    ? prompts.coldPrompt(step.promptTokens(), step.nonce() + " " + workerId + " s" + stream + " r" + seq, salt)
                    : prompts.sharedPrompt(step.promptTokens(), stream);
        };
    }
}
