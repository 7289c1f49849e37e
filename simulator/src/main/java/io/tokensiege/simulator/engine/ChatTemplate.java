package io.tokensiege.simulator.engine;

import java.util.List;

/**
 * How a server turns chat messages into a prompt: the text its prefix cache sees, and how many tokens
 * the prompt is. Every place that counts a chat prompt (usage, the context check, /tokenize with
 * messages, /apply-template then /tokenize) goes through one of these, so they always agree.
 */
public sealed interface ChatTemplate {

    /** The prompt text (prefix-cache matching, truncation). */
    String render(List<ChatMessage> messages);

    int countTokens(List<ChatMessage> messages, PromptTokenizer tokenizer);

    /**
     * OpenAI's way of counting chat: 4 tokens of framing per message plus its content, and 3 to prime
     * the answer ("Hello there" alone at 4.0 chars/token: 3 + 4 + 3 = 10). Used by the openai and
     * ollama personalities, so the demo's prompt sizes stay what they were.
     */
    record OpenAiFraming() implements ChatTemplate {
        public static final int TOKENS_PER_MESSAGE = 4;
        public static final int ANSWER_PRIMING_TOKENS = 3;

        @Override
        public String render(List<ChatMessage> messages) {
            StringBuilder sb = new StringBuilder();
            for (ChatMessage m : messages) sb.append(m.role()).append('\n').append(m.content()).append('\n');
            return sb.toString();
        }

        @Override
        public int countTokens(List<ChatMessage> messages, PromptTokenizer tokenizer) {
            int tokens = ANSWER_PRIMING_TOKENS;
            for (ChatMessage m : messages) tokens += TOKENS_PER_MESSAGE + tokenizer.count(m.content());
            return tokens;
        }
    }

    /**
     * The ChatML template ({@code <|im_start|>role\ncontent<|im_end|>\n} per message, then
     * {@code <|im_start|>assistant\n}), counted whole as plain text: the markers are no special tokens,
     * as in the Llama SentencePiece vocabulary of the test models. The framing costs 24 bytes plus the
     * role per message (28 for a user message: ~5.5 tokens at 5.1 chars/token) and 22 bytes to prime
     * the answer. Used by llama.cpp and vLLM, whose /apply-template and /tokenize then count exactly
     * what a chat request counts.
     */
    record ChatMl() implements ChatTemplate {
        @Override
        public String render(List<ChatMessage> messages) {
            StringBuilder sb = new StringBuilder();
            for (ChatMessage m : messages) sb.append("<|im_start|>").append(m.role()).append('\n').append(m.content()).append("<|im_end|>\n");
            return sb.append("<|im_start|>assistant\n").toString();
        }

        @Override
        public int countTokens(List<ChatMessage> messages, PromptTokenizer tokenizer) {
            return tokenizer.count(render(messages));
        }
    }
}
