package io.tokensiege.simulator.engine;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A deterministic stand-in for a tokenizer: one token per 4 UTF-8 bytes of content (rounded up),
 * plus 4 tokens of chat framing per message and 3 to prime the answer, as OpenAI's chat format
 * counts. Real tokenizers differ by model; the simulator only needs a stable, documented length.
 */
public final class PromptTokenizer {
    public static final int BYTES_PER_TOKEN = 4;
    public static final int TOKENS_PER_MESSAGE = 4;
    public static final int ANSWER_PRIMING_TOKENS = 3;

    private PromptTokenizer() {}

    public static int countText(String text) {
        int bytes = text.getBytes(StandardCharsets.UTF_8).length;
        return (bytes + BYTES_PER_TOKEN - 1) / BYTES_PER_TOKEN;
    }

    public static int countMessages(List<String> contents) {
        int tokens = ANSWER_PRIMING_TOKENS;
        for (String content : contents) tokens += TOKENS_PER_MESSAGE + countText(content);
        return tokens;
    }
}
