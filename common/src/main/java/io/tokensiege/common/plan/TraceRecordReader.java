package io.tokensiege.common.plan;

import io.tokensiege.common.chat.ChatMessage;
import io.tokensiege.common.trace.TraceRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads one trace record (a line's JSON object) into a {@link TraceRecord}, recording every mistake with its line,
 * column and field path: the messages (roles, text, tool calls and the results that answer them), tools, max_tokens,
 * the record's time (a timestamp that never goes backwards, or a non-negative delay), its scenario group, and its
 * session and turn (a session's turns in order). Keeps what it must remember across lines: the last time and each
 * session's last turn.
 */
final class TraceRecordReader {
    static final List<String> KEYS = List.of("messages", "tools", "tool_choice", "max_tokens", "timestamp", "delay", "scenario", "session", "turn");
    static final List<String> ROLES = List.of("system", "user", "assistant", "tool");
    private static final List<String> MESSAGE_KEYS = List.of("role", "content", "tool_calls", "tool_call_id");
    private static final List<String> CALL_KEYS = List.of("id", "type", "function");
    private static final int MAX_SESSION_CHARS = 128;
    private static final double MAX_SECONDS = PlanReader.MAX_DURATION_MILLIS / 1000.0;

    private final Fields fields;
    private final ToolsReader tools;
    private long lastMicros;
    private int lastTimedLine;
    private boolean timed;
    private final Map<String, int[]> lastTurnOfSession = new HashMap<>(); // session -> {turn, line}

    TraceRecordReader(Fields fields) {
        this.fields = fields;
        this.tools = new ToolsReader(fields);
    }

    /** Whether any record so far gave a timestamp or a delay. */
    boolean timed() {
        return timed;
    }

    /** The record on line {@code line}, or null when it is not an object (errors are recorded either way). */
    TraceRecord read(YNode n, int line) {
        if (n.kind != YNode.Kind.MAP) {
            fields.error(n, "a trace line is one JSON object, not " + n.describe(), "e.g. {\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}");
            return null;
        }
        fields.keys(n, KEYS.toArray(String[]::new));
        List<ChatMessage> messages = messages(n);
        List<Map<String, Object>> schemas = null;
        Object choice = null;
        YNode t = n.get("tools");
        if (t != null) schemas = tools.schemas(t);
        if (n.get("tool_choice") != null) {
            if (t == null) fields.error(n.get("tool_choice"), "tool_choice needs tools", "add \"tools\": [...] or remove tool_choice");
            else choice = tools.choice(n.get("tool_choice"), schemas);
        }
        Integer maxTokens = n.get("max_tokens") == null ? null : (int) fields.integer(n, "max_tokens", 1, 1, 1_000_000);
        long at = time(n, line);
        String scenario = n.get("scenario") == null ? null : fields.name(n, "scenario", true);
        if ("probe".equals(scenario)) fields.error(n.get("scenario"), "'probe' names a mixed step's probe requests", "call this group something else");
        String session = session(n);
        int turn = turn(n, session, line);
        return new TraceRecord(line, at, messages, schemas, choice, maxTokens, scenario, session, turn);
    }

    private List<ChatMessage> messages(YNode record) {
        YNode m = record.get("messages");
        List<ChatMessage> out = new ArrayList<>();
        if (m == null) {
            fields.error(record, "missing 'messages'", "e.g. \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]");
            return out;
        }
        if (m.kind != YNode.Kind.LIST || m.items.isEmpty()) {
            fields.error(m, "'messages' must be a non-empty list, not " + m.describe(), "e.g. \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]");
            return out;
        }
        Set<String> callIds = new HashSet<>();
        for (YNode item : m.items) {
            ChatMessage message = message(item, callIds);
            if (message != null) out.add(message);
        }
        return out;
    }

    private ChatMessage message(YNode n, Set<String> callIds) {
        if (!fields.isMap(n)) return null;
        fields.keys(n, MESSAGE_KEYS.toArray(String[]::new));
        String role = fields.string(n, "role", true);
        if (role != null && !ROLES.contains(role)) {
            fields.error(n.get("role"), "role '" + role + "' is not one of system, user, assistant, tool", Typos.valueHint(role, ROLES));
            return null;
        }
        List<ChatMessage.ToolCall> calls = n.get("tool_calls") == null ? null : toolCalls(n.get("tool_calls"), role, callIds);
        YNode c = n.get("content");
        String content = null;
        if (c != null && c.kind == YNode.Kind.SCALAR && c.scalar instanceof String s) content = s;
        else if (c != null && c.kind != YNode.Kind.NULL) fields.error(c, "content must be text, not " + c.describe(), "write the message's text as one string");
        else if (calls == null) fields.error(c == null ? n : c, (role == null ? "a message" : ("assistant".equals(role) ? "an " : "a ") + role + " message") + " needs content (text)",
                "only an assistant message with tool_calls may have none");
        String callId = fields.string(n, "tool_call_id", false);
        if ("tool".equals(role)) {
            if (callId == null && n.get("tool_call_id") == null) fields.error(n, "a tool message needs tool_call_id (the id of the call it answers)", null);
            else if (callId != null && !callIds.contains(callId)) {
                fields.error(n.get("tool_call_id"), "tool_call_id '" + callId + "' answers no earlier tool call in this record's messages",
                        "servers refuse a tool result without its call: keep the assistant message that made the call");
            }
        } else if (n.get("tool_call_id") != null) {
            fields.error(n.get("tool_call_id"), "tool_call_id is for tool messages", null);
        }
        return new ChatMessage(role, content, calls, callId);
    }

    private List<ChatMessage.ToolCall> toolCalls(YNode list, String role, Set<String> callIds) {
        if (!"assistant".equals(role)) {
            fields.error(list, "tool_calls are made by assistant messages", null);
            return null;
        }
        if (list.kind != YNode.Kind.LIST || list.items.isEmpty()) {
            fields.error(list, "'tool_calls' must be a non-empty list, not " + list.describe(), null);
            return null;
        }
        List<ChatMessage.ToolCall> out = new ArrayList<>();
        for (YNode call : list.items) {
            if (!fields.isMap(call)) continue;
            fields.keys(call, CALL_KEYS.toArray(String[]::new));
            String id = fields.string(call, "id", true);
            String type = fields.string(call, "type", false);
            if (type != null && !type.equals("function")) fields.error(call.get("type"), "a tool call's type is 'function', not '" + type + "'", null);
            YNode f = call.get("function");
            if (f == null) {
                fields.error(call, "missing 'function'", "e.g. \"function\": {\"name\": \"search_docs\", \"arguments\": \"{\\\"query\\\": \\\"x\\\"}\"}");
                continue;
            }
            if (!fields.isMap(f)) continue;
            fields.keys(f, "name", "arguments");
            String name = fields.string(f, "name", true);
            YNode a = f.get("arguments");
            String arguments = null;
            if (a == null) fields.error(f, "missing 'arguments'", "the arguments as the model wrote them, as a JSON string, e.g. \"{}\"");
            else if (a.kind == YNode.Kind.SCALAR && a.scalar instanceof String s) arguments = s;
            else fields.error(a, "'arguments' must be a string (the JSON the model wrote), not " + a.describe(), "e.g. \"arguments\": \"{\\\"query\\\": \\\"x\\\"}\"");
            if (id != null) callIds.add(id);
            out.add(new ChatMessage.ToolCall(id, name, arguments));
        }
        return out;
    }

    /** The record's time from the trace's start: its timestamp, the previous time plus its delay, or the previous time. */
    private long time(YNode n, int line) {
        YNode ts = n.get("timestamp");
        YNode delay = n.get("delay");
        if (ts != null && delay != null) {
            fields.error(delay, "give timestamp or delay, not both", "timestamp: seconds from the trace's start; delay: seconds after the previous record");
            return lastMicros;
        }
        if (ts == null && delay == null) return lastMicros;
        timed = true;
        Double seconds = seconds(ts != null ? ts : delay, ts != null ? "timestamp" : "delay");
        if (seconds == null) return lastMicros;
        long micros = Math.round(seconds * 1e6);
        if (ts != null && micros < lastMicros) {
            fields.error(ts, String.format(java.util.Locale.ROOT, "timestamp %s s is before the previous record's time, %s s (line %d): timestamps must not go backwards",
                    ts.asText(), seconds(lastMicros), lastTimedLine), "sort the trace by time, or give each record a delay instead");
            return lastMicros;
        }
        long at = ts != null ? micros : lastMicros + micros;
        if (at > PlanReader.MAX_DURATION_MILLIS * 1000) {
            fields.error(ts != null ? ts : delay, "the trace would last more than 7 days", "a trace replays in one step; cut it into parts");
            return lastMicros;
        }
        lastMicros = at;
        lastTimedLine = line;
        return at;
    }

    private Double seconds(YNode n, String key) {
        if (!(n.scalar instanceof Number v) || n.scalar instanceof java.math.BigInteger) {
            fields.error(n, "'" + key + "' must be a number of seconds, not " + n.describe(), null);
            return null;
        }
        double s = v.doubleValue();
        if (s < 0) {
            fields.error(n, "'" + key + "' must not be negative, not " + n.asText(), key.equals("delay") ? "a delay is seconds after the previous record"
                    : "a timestamp is seconds from the trace's start");
            return null;
        }
        if (s > MAX_SECONDS) {
            fields.error(n, "'" + key + "' must be at most 7 days (604800 s), not " + n.asText(), null);
            return null;
        }
        return s;
    }

    private static String seconds(long micros) {
        return java.math.BigDecimal.valueOf(micros, 6).stripTrailingZeros().toPlainString();
    }

    private String session(YNode n) {
        YNode s = n.get("session");
        if (s == null) return null;
        if (s.kind != YNode.Kind.SCALAR || s.scalar instanceof Boolean || s.scalar instanceof Double) {
            fields.error(s, "'session' must be text or a whole number, not " + s.describe(), "e.g. \"session\": \"agent-7\"");
            return null;
        }
        String id = fields.string(n, "session", true);
        if (id != null && (id.isBlank() || id.length() > MAX_SESSION_CHARS)) {
            fields.error(s, "a session id has 1 to " + MAX_SESSION_CHARS + " characters, not " + id.length(), null);
            return null;
        }
        return id;
    }

    private int turn(YNode n, String session, int line) {
        YNode t = n.get("turn");
        if (t == null) {
            if (n.get("session") != null) fields.error(n, "a session's record needs its turn (1, 2, ...)", "add \"turn\": 1 to its first record");
            return 0;
        }
        if (n.get("session") == null) {
            fields.error(t, "turn goes with session", "add \"session\": \"...\", or remove turn");
            return 0;
        }
        int turn = (int) fields.integer(n, "turn", 0, 1, 1_000_000);
        if (turn == 0 || session == null) return turn;
        int[] last = lastTurnOfSession.get(session);
        if (last != null && turn <= last[0]) {
            fields.error(t, "turn " + turn + " of session '" + session + "' comes after its turn " + last[0] + " (line " + last[1] + "): a session's turns must be in order",
                    "a session's turns replay one after another, in the order of the file");
            return turn;
        }
        lastTurnOfSession.put(session, new int[] {turn, line});
        return turn;
    }
}
