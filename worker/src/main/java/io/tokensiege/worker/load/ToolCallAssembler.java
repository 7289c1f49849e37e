package io.tokensiege.worker.load;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.common.chat.ChatMessage;
import io.tokensiege.common.json.Json;
import io.tokensiege.worker.sse.ChunkInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Joins a streamed answer's tool-call deltas into whole calls (OpenAI streams a call's id and name first, then its
 * arguments in fragments, each call by its {@code index}), so an agent can append them to its history and answer
 * them. Bounded: at most {@value #MAX_CALLS} calls of {@value #MAX_ARGUMENT_CHARS} characters of arguments, and a
 * name or id of at most {@value #MAX_NAME_CHARS} (OpenAI allows 64 for a name; a name streamed without end is malformed).
 */
final class ToolCallAssembler {
    static final int MAX_CALLS = 16;
    static final int MAX_ARGUMENT_CHARS = 64 << 10;
    static final int MAX_NAME_CHARS = 256;

    private static final class Call {
        String id;
        String name;
        boolean nameCut;
        final StringBuilder arguments = new StringBuilder();
    }

    private final Map<Integer, Call> calls = new TreeMap<>();

    void add(ChunkInfo.ToolCallDelta d) {
        Call c = calls.get(d.index());
        if (c == null) {
            if (calls.size() >= MAX_CALLS) return;
            c = new Call();
            calls.put(d.index(), c);
        }
        if (d.id() != null && c.id == null) c.id = d.id().length() > MAX_NAME_CHARS ? d.id().substring(0, MAX_NAME_CHARS) : d.id();
        if (d.name() != null && !c.nameCut) {
            String joined = c.name == null ? d.name() : c.name + d.name(); // both at most an event's size, and then bounded
            c.nameCut = joined.length() > MAX_NAME_CHARS;
            c.name = c.nameCut ? joined.substring(0, MAX_NAME_CHARS) : joined;
        }
        String fragment = d.argumentsFragment();
        if (fragment != null && c.arguments.length() < MAX_ARGUMENT_CHARS) {
            c.arguments.append(fragment, 0, Math.min(fragment.length(), MAX_ARGUMENT_CHARS - c.arguments.length()));
        }
    }

    boolean isEmpty() {
        return calls.isEmpty();
    }

    /** The calls, in index order; a call the server streamed without an id gets one, so its result can name it. */
    List<ChatMessage.ToolCall> calls(String idPrefix) {
        List<ChatMessage.ToolCall> out = new ArrayList<>();
        int n = 0;
        for (Call c : calls.values()) {
            out.add(new ChatMessage.ToolCall(c.id != null ? c.id : idPrefix + n, c.name == null ? "" : c.name, c.arguments.toString()));
            n++;
        }
        return out;
    }

    /** A call whose arguments are not a JSON object (or that has no function name): the model's tool call is unusable. */
    boolean anyMalformed() {
        for (Call c : calls.values()) {
            if (c.name == null || c.name.isBlank() || c.nameCut) return true;
            try {
                JsonNode args = Json.MAPPER.readTree(c.arguments.length() == 0 ? "{}" : c.arguments.toString());
                if (args == null || !args.isObject()) return true;
            } catch (Exception e) {
                return true;
            }
        }
        return false;
    }
}
