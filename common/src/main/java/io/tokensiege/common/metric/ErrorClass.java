package io.tokensiege.common.metric;

/** Why a request failed (docs/design.md §3). A failed request counts against goodput, never silently. */
public enum ErrorClass {
    CONNECT("connect", "could not connect, or a fresh connection failed before any response byte"),
    HTTP_3XX("http_3xx", "the server answered with a redirect; never followed (the API key would go with it): give the final URL"),
    HTTP_4XX("http_4xx", "the server answered 4xx (not 429)"),
    HTTP_429("http_429", "the server answered 429 (rate limited or queue full)"),
    HTTP_5XX("http_5xx", "the server answered 5xx"),
    TIMEOUT_FIRST_TOKEN("timeout_first_token", "no generated token within the first-token timeout"),
    TIMEOUT_IDLE("timeout_idle", "no event within the idle timeout after streaming began"),
    TIMEOUT_TOTAL("timeout_total", "the request exceeded the total timeout"),
    TRUNCATED("truncated", "the stream ended without [DONE] or finish_reason"),
    STREAM_ERROR("stream_error", "the server sent an error event inside a 200 stream (its message is kept)"),
    MALFORMED("malformed", "an event was not valid JSON or not a chat-completion chunk, or the status was not HTTP's (1xx, 600+)"),
    NOT_STREAMED("not_streamed", "a 200 answer that was no event stream (plain JSON, HTML): the server ignored stream: true, or a proxy rewrote it"),
    OVERLONG("overlong", "more token events than max_tokens allows: the server ignores the limit, and the request was cut"),
    OVERSIZED("oversized", "a line, an event, an error body or the response's headers exceeded the size limit (the rest was not read)"),
    EMPTY("empty", "the stream ended without any generated token (a usage of one with nothing streamed: the end-of-sequence token alone)");

    private final String key;
    private final String meaning;

    ErrorClass(String key, String meaning) {
        this.key = key;
        this.meaning = meaning;
    }

    public String key() {
        return key;
    }

    public String meaning() {
        return meaning;
    }
}
