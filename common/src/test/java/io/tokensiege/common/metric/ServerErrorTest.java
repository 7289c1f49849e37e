package io.tokensiege.common.metric;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Error bodies in the shapes real servers send, read into a detail and a short reason for tables. */
class ServerErrorTest {
    @Test
    void llamaCpp_exceedContext_givesItsNumbers() {
        ServerError e = ServerError.parse("{\"error\":{\"code\":400,\"message\":\"request (6028 tokens) exceeds the available context size (4096 tokens), "
                + "try increasing it\",\"type\":\"exceed_context_size_error\",\"n_prompt_tokens\":6028,\"n_ctx\":4096}}");
        assertThat(e.reason()).isEqualTo("exceed_context_size (6,028 > 4,096 tokens)");
        assertThat(e.detail()).startsWith("exceed_context_size_error (400): request (6028 tokens) exceeds");
    }

    @Test
    void vllm_contextMessage_isReadForItsNumbers() {
        ServerError e = ServerError.parse("{\"object\":\"error\",\"message\":\"This model's maximum context length is 4096 tokens. However, you requested "
                + "6028 tokens in the messages, Please reduce the length of the messages.\",\"type\":\"BadRequestError\",\"param\":null,\"code\":400}");
        assertThat(e.reason()).isEqualTo("context exceeded (6,028 > 4,096 tokens)");
    }

    @Test
    void openAi_codeNamesTheError() {
        ServerError e = ServerError.parse("{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}");
        assertThat(e.reason()).isEqualTo("requests: Rate limit reached");
        ServerError generic = ServerError.parse("{\"error\":{\"message\":\"model 'x' not found\",\"type\":\"invalid_request_error\",\"code\":\"model_not_found\"}}");
        assertThat(generic.reason()).isEqualTo("model_not_found: model 'x' not found");
    }

    @Test
    void ollamaStringError_andPlainText_andBrokenJson_areKeptAsMessages() {
        assertThat(ServerError.parse("{\"error\":\"model \\\"llama9\\\" not found, try pulling it first\"}").reason())
                .isEqualTo("model \"llama9\" not found, try pulling it first");
        assertThat(ServerError.parse("Bad Gateway\n\n").reason()).isEqualTo("Bad Gateway");
        assertThat(ServerError.parse("{\"error\":{\"message\":\"cut").reason()).isEqualTo("{\"error\":{\"message\":\"cut");
        assertThat(ServerError.parse("").reason()).isEqualTo("no message");
    }

    @Test
    void longMessages_areShortened() {
        ServerError e = ServerError.parse("{\"error\":{\"message\":\"" + "x".repeat(1000) + "\"}}");
        assertThat(e.message()).hasSize(ServerError.MESSAGE_CHARS);
        assertThat(e.reason()).hasSize(ServerError.REASON_MESSAGE_CHARS);
    }
}
