package io.tokensiege.common.trace;

import io.tokensiege.common.chat.ChatMessage;
import java.util.List;
import java.util.Map;

/**
 * One request of a trace, as recorded: its messages (sent exactly so, tool calls and tool results included), the
 * tools it offered, and when it was sent. A session turn names its session and turn; a session's turns replay in
 * order on one worker.
 *
 * @param line       the line of the trace file it came from (1-based), named in errors and kept in results
 * @param atMicros   when it was sent, from the trace's start, in the trace's own time
 * @param tools      OpenAI function schemas, or null
 * @param toolChoice {@code tool_choice} as recorded ("auto", "none", "required" or a named function), or null
 * @param maxTokens  the record's own {@code max_tokens}, or null for the scenario's
 * @param scenario   the group its results are reported under, or null (then it counts in the step's totals only)
 * @param session    the session it belongs to, or null for a standalone request
 * @param turn       its turn in the session (1-based), 0 for a standalone request
 */
public record TraceRecord(int line, long atMicros, List<ChatMessage> messages, List<Map<String, Object>> tools, Object toolChoice,
                          Integer maxTokens, String scenario, String session, int turn) {}
