package io.tokensiege.simulator.http;

import java.util.Map;

/**
 * How one server shapes its chat-completion responses.
 *
 * @param reasoningField   the delta field reasoning tokens stream in ({@code reasoning} or {@code reasoning_content})
 * @param roleContentNull  the role-only first chunk carries {@code "content": null} (llama.cpp) instead of {@code ""}
 * @param timings          the usage chunk and the non-streamed body carry llama.cpp's {@code timings}
 * @param closeAfterStream the server closes the TCP connection right after each streamed response, despite keep-alive
 * @param streamHeaders    headers of a streamed (SSE) response
 */
record StreamStyle(String reasoningField, boolean roleContentNull, boolean timings, boolean closeAfterStream, Map<String, String> streamHeaders) {}
