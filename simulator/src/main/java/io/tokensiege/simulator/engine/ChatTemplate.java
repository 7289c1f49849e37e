package io.tokensiege.simulator.engine;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.util.List;

/**
 * How a server turns chat messages (and the tools offered) into a prompt: the text its prefix cache sees,
 * and how many tokens the prompt is. Every place that counts a chat prompt (usage, the context check,
 * /tokenize with messages, /apply-template then /tokenize) goes through one of these, so they always agree.
 *
 * <p>A prompt ends with the generation prompt, and an assistant message in a later request's history renders
 * as that same generation prompt followed by {@link #renderAnswer} of its content and tool calls. So the
 * text a server holds after answering (prompt + answer) is a prefix of the next turn's prompt when the
 * client sends the answer back unchanged: a conversation whose history grows reuses its own cache, as with
 * llama.cpp's {@code cache_prompt} and vLLM's prefix caching.
 */
public sealed interface ChatTemplate {

    /** The prompt text (prefix-cache matching, truncation). */
    String render(List<ChatMessage> messages, List<ToolSpec> tools);

    int countTokens(List<ChatMessage> messages, List<ToolSpec> tools, PromptTokenizer tokenizer);

    /** What the model writes after the generation prompt for this answer (also what the same assistant message renders as). */
    String renderAnswer(String content, List<ToolCall> calls);

    default String render(List<ChatMessage> messages) {
        return render(messages, List.of());
    }

    default int countTokens(List<ChatMessage> messages, PromptTokenizer tokenizer) {
        return countTokens(messages, List.of(), tokenizer);
    }

    private static String quote(String s) {
        return '"' + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + '"';
    }

    /**
     * OpenAI's way of counting chat: 4 tokens of framing per message plus its text, and 3 to prime the
     * answer ("Hello there" alone at 4.0 chars/token: 3 + 4 + 3 = 10). A message's text is its content; an
     * assistant message's tool calls add their JSON ({@code [{"id":..,"type":"function","function":{"name":..,
     * "arguments":..}}]}); the tools offered count as one more message holding their JSON array. Used by the
     * openai and ollama personalities, so the demo's prompt sizes (no tools) stay what they were.
     */
    record OpenAiFraming() implements ChatTemplate {
        public static final int TOKENS_PER_MESSAGE = 4;
        public static final int ANSWER_PRIMING_TOKENS = 3;

        @Override
        public String render(List<ChatMessage> messages, List<ToolSpec> tools) {
            StringBuilder sb = new StringBuilder();
            if (!tools.isEmpty()) sb.append("tools\n").append(toolsJson(tools)).append('\n');
            for (ChatMessage m : messages) sb.append(m.role()).append('\n').append(text(m)).append('\n');
            return sb.append("assistant\n").toString();
        }

        @Override
        public int countTokens(List<ChatMessage> messages, List<ToolSpec> tools, PromptTokenizer tokenizer) {
            int tokens = ANSWER_PRIMING_TOKENS;
            if (!tools.isEmpty()) tokens += TOKENS_PER_MESSAGE + tokenizer.count(toolsJson(tools));
            for (ChatMessage m : messages) tokens += TOKENS_PER_MESSAGE + tokenizer.count(text(m));
            return tokens;
        }

        @Override
        public String renderAnswer(String content, List<ToolCall> calls) {
            if (calls.isEmpty()) return content;
            StringBuilder sb = new StringBuilder(content).append('[');
            for (int i = 0; i < calls.size(); i++) {
                ToolCall c = calls.get(i);
                if (i > 0) sb.append(',');
                sb.append("{\"id\":").append(quote(c.id())).append(",\"type\":\"function\",\"function\":{\"name\":").append(quote(c.name()))
                        .append(",\"arguments\":").append(quote(c.arguments())).append("}}");
            }
            return sb.append(']').toString();
        }

        private String text(ChatMessage m) {
            return m.role().equals("assistant") ? renderAnswer(m.content(), m.toolCalls()) : m.content();
        }

        private static String toolsJson(List<ToolSpec> tools) {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < tools.size(); i++) sb.append(i > 0 ? "," : "").append(tools.get(i).json());
            return sb.append(']').toString();
        }
    }

    /**
     * The ChatML template ({@code <|im_start|>role\ncontent<|im_end|>\n} per message, then
     * {@code <|im_start|>assistant\n}), counted whole as plain text: the markers are no special tokens,
     * as in the Llama SentencePiece vocabulary of the test models. The framing costs 24 bytes plus the
     * role per message (28 for a user message: ~5.5 tokens at 5.1 chars/token) and 22 bytes to prime
     * the answer. Used by llama.cpp and vLLM, whose /apply-template and /tokenize then count exactly
     * what a chat request counts.
     *
     * <p>Tools are rendered as Qwen2.5's template does: the system message (the first message when it is
     * one, else a new one) gains a "# Tools" section listing each tool's JSON inside {@code <tools>};
     * an assistant's tool call renders as {@code <tool_call>\n{"name": N, "arguments": A}\n</tool_call>}
     * after its content; consecutive {@code tool} messages share one user turn, each inside
     * {@code <tool_response>}.
     */
    record ChatMl() implements ChatTemplate {
        private static final String TOOLS_INTRO = "# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
                + "You are provided with function signatures within <tools></tools> XML tags:\n<tools>";
        private static final String TOOLS_OUTRO = "\n</tools>\n\nFor each function call, return a json object with function name and "
                + "arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call>";

        @Override
        public String render(List<ChatMessage> messages, List<ToolSpec> tools) {
            StringBuilder sb = new StringBuilder();
            int first = 0;
            if (!tools.isEmpty()) {
                sb.append("<|im_start|>system\n");
                if (!messages.isEmpty() && messages.get(0).role().equals("system")) {
                    sb.append(messages.get(0).content()).append("\n\n");
                    first = 1;
                }
                sb.append(TOOLS_INTRO);
                for (ToolSpec t : tools) sb.append('\n').append(t.json());
                sb.append(TOOLS_OUTRO).append("<|im_end|>\n");
            }
            for (int i = first; i < messages.size(); i++) {
                ChatMessage m = messages.get(i);
                if (m.role().equals("tool")) {
                    boolean opens = i == first || !messages.get(i - 1).role().equals("tool");
                    boolean closes = i == messages.size() - 1 || !messages.get(i + 1).role().equals("tool");
                    if (opens) sb.append("<|im_start|>user");
                    sb.append("\n<tool_response>\n").append(m.content()).append("\n</tool_response>");
                    if (closes) sb.append("<|im_end|>\n");
                } else {
                    String body = m.role().equals("assistant") ? renderAnswer(m.content(), m.toolCalls()) : m.content();
                    sb.append("<|im_start|>").append(m.role()).append('\n').append(body).append("<|im_end|>\n");
                }
            }
            return sb.append("<|im_start|>assistant\n").toString();
        }

        @Override
        public int countTokens(List<ChatMessage> messages, List<ToolSpec> tools, PromptTokenizer tokenizer) {
            return tokenizer.count(render(messages, tools));
        }

        @Override
        public String renderAnswer(String content, List<ToolCall> calls) {
            StringBuilder sb = new StringBuilder(content);
            for (ToolCall c : calls) {
                if (!sb.isEmpty()) sb.append('\n');
                sb.append("<tool_call>\n{\"name\": ").append(quote(c.name())).append(", \"arguments\": ").append(c.arguments()).append("}\n</tool_call>");
            }
            return sb.toString();
        }
    }
}
