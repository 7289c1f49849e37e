package io.tokensiege.common.trace.sharegpt;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tokensiege.common.chat.ChatMessage;
import io.tokensiege.common.cluster.MessageSize;
import io.tokensiege.common.json.Json;
import io.tokensiege.common.plan.TraceReader;
import io.tokensiege.common.trace.TraceRecord;
import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Converts a ShareGPT-style file (a JSON array of {@code {"id": ..., "conversations": [{"from": "human" | "gpt" |
 * "system", "value": "..."}]}}) into a trace, read as a stream so a 600 MB dump costs one conversation of memory. One
 * record per conversation (its first human turn, after any system message), or with {@code turnsAsSessions} one
 * session per conversation with a record per human turn, each carrying the history so far (the recorded replies). A
 * record's max_tokens is the length of the recorded reply at about 4 characters a token.
 *
 * <p>The real files' quirks are handled and counted, never fatal: conversations that are not objects or have no
 * messages, speakers it does not know ({@code bing}, {@code bard} and {@code chatgpt} are read as the assistant), a
 * reply before any human turn (dropped), two messages in a row from one speaker (joined), an empty message (the
 * conversation is cut there), records too large for a trace (skipped). The output stays within a trace's bounds.
 */
public final class ShareGptConverter {
    /** Characters per token when sizing a reply into max_tokens: the usual estimate for English text. */
    static final int CHARS_PER_TOKEN = 4;
    private static final Map<String, String> ROLES = Map.ofEntries(Map.entry("human", "user"), Map.entry("user", "user"),
            Map.entry("gpt", "assistant"), Map.entry("chatgpt", "assistant"), Map.entry("bard", "assistant"), Map.entry("bing", "assistant"),
            Map.entry("assistant", "assistant"), Map.entry("model", "assistant"), Map.entry("system", "system"));

    /** @param maxRecords stop after this many records (at most a trace's {@link TraceReader#MAX_RECORDS}) */
    public record Options(int maxRecords, boolean turnsAsSessions) {}

    /** A quirk met, how often, and the input line of its first conversation. */
    public record Count(int times, int firstLine) {}

    /**
     * What the conversion did.
     *
     * @param skipped     conversations left out, by reason
     * @param adjusted    conversations kept with a change, by what was changed
     * @param stoppedBy   why it stopped before the input's end (a limit), or null
     */
    public record Report(int conversations, int records, int sessions, Map<String, Count> skipped, Map<String, Count> adjusted, String stoppedBy) {}

    /** The input is not a ShareGPT file at all (not JSON, or not an array), with where. */
    public static final class ConversionException extends Exception {
        public ConversionException(String message) {
            super(message);
        }
    }

    private final String inName;
    private final Options options;
    private final Writer out;
    private final Map<String, Count> skipped = new LinkedHashMap<>();
    private final Map<String, Count> adjusted = new LinkedHashMap<>();
    private final Set<String> sessionIds = new HashSet<>();
    private int conversations;
    private int records;
    private int sessions;
    private long bytes;
    private String stoppedBy;

    private ShareGptConverter(String inName, Options options, Writer out) {
        this.inName = inName;
        this.options = options;
        this.out = out;
    }

    public static Report convert(InputStream in, String inName, Writer out, Options options) throws IOException, ConversionException {
        ShareGptConverter c = new ShareGptConverter(inName, options, out);
        c.run(in);
        return new Report(c.conversations, c.records, c.sessions, c.skipped, c.adjusted, c.stoppedBy);
    }

    private void run(InputStream in) throws IOException, ConversionException {
        try (JsonParser p = Json.MAPPER.createParser(in)) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_ARRAY) {
                throw new ConversionException(where(p) + ": a ShareGPT file is a JSON array of conversations, not " + (first == null ? "an empty file" : describe(first)));
            }
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (p.currentToken() == null) throw new ConversionException(where(p) + ": the file ends inside the array (cut short?)");
                int line = p.currentTokenLocation().getLineNr();
                JsonNode conversation = p.readValueAsTree();
                conversations++;
                conversation(conversation, line);
                if (stoppedBy != null) return;
            }
        } catch (JsonProcessingException e) {
            throw new ConversionException(inName + ":" + (e.getLocation() == null ? "?" : e.getLocation().getLineNr() + ":" + e.getLocation().getColumnNr())
                    + ": not JSON: " + e.getOriginalMessage().replaceAll("\\s*\\(for \\w+ starting at \\[Source:.*?\\]\\)", ""));
        }
    }

    private void conversation(JsonNode c, int line) throws IOException {
        if (!c.isObject()) {
            count(skipped, "not an object", line);
            return;
        }
        JsonNode turns = c.get("conversations");
        if (turns == null || !turns.isArray() || turns.isEmpty()) {
            count(skipped, "no 'conversations' list", line);
            return;
        }
        List<ChatMessage> messages = new ArrayList<>();
        for (JsonNode m : turns) {
            JsonNode from = m.get("from");
            if (!m.isObject() || from == null || !from.isTextual()) {
                count(skipped, "a message without 'from'", line);
                return;
            }
            String role = ROLES.get(from.asText().toLowerCase(Locale.ROOT));
            if (role == null) {
                count(skipped, "an unknown speaker '" + shortened(from.asText()) + "'", line);
                return;
            }
            JsonNode v = m.get("value");
            String value = v == null || !v.isTextual() ? "" : v.asText();
            if (value.isBlank()) {
                count(adjusted, "cut at an empty message", line);
                break;
            }
            if (role.equals("assistant") && messages.stream().noneMatch(x -> x.role().equals("user"))) {
                count(adjusted, "a reply before the first human turn dropped", line);
                continue;
            }
            ChatMessage last = messages.isEmpty() ? null : messages.get(messages.size() - 1);
            if (last != null && last.role().equals(role)) {
                count(adjusted, "two messages in a row from one speaker joined", line);
                messages.set(messages.size() - 1, new ChatMessage(role, last.content() + "\n\n" + value));
            } else {
                messages.add(new ChatMessage(role, value));
            }
        }
        List<Integer> humanTurns = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) if (messages.get(i).role().equals("user")) humanTurns.add(i);
        if (humanTurns.isEmpty()) {
            count(skipped, "no human turn", line);
            return;
        }
        if (!options.turnsAsSessions()) {
            write(record(messages, humanTurns.get(0), null, 0), line);
            return;
        }
        String session = sessionId(c.get("id"));
        int turn = 0;
        for (int i : humanTurns) {
            if (!write(record(messages, i, session, ++turn), line)) break; // a later turn only grows: the rest would not fit either
            if (turn == 1) sessions++;
            if (stoppedBy != null) return;
        }
    }

    /** The request of the human turn at {@code userIndex}: everything up to it, sized by the reply that followed. */
    private static TraceRecord record(List<ChatMessage> messages, int userIndex, String session, int turn) {
        Integer maxTokens = null;
        if (userIndex + 1 < messages.size() && messages.get(userIndex + 1).role().equals("assistant")) {
            int chars = messages.get(userIndex + 1).content().length();
            maxTokens = Math.min(1_000_000, Math.max(1, (chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN));
        }
        return new TraceRecord(0, 0, List.copyOf(messages.subList(0, userIndex + 1)), null, null, maxTokens, null, session, turn);
    }

    /** The record as a line of the trace format. */
    private static String line(TraceRecord r) throws IOException {
        ObjectNode out = Json.MAPPER.createObjectNode();
        if (r.session() != null) {
            out.put("session", r.session());
            out.put("turn", r.turn());
        }
        out.set("messages", Json.MAPPER.valueToTree(r.messages()));
        if (r.maxTokens() != null) out.put("max_tokens", r.maxTokens());
        return Json.MAPPER.writeValueAsString(out);
    }

    /** Writes one record, or counts why not; false when it was too large. */
    private boolean write(TraceRecord record, int line) throws IOException {
        String json = line(record);
        long size = json.getBytes(StandardCharsets.UTF_8).length + 1;
        if (size > TraceReader.MAX_LINE_BYTES || MessageSize.wireBytes(Json.write(record)) > TraceReader.MAX_RECORD_WIRE_BYTES - 64) { // 64: the line number and time the reader adds
            count(skipped, "a record larger than a trace allows (512 KB)", line);
            return false;
        }
        if (bytes + size > TraceReader.MAX_FILE_BYTES) {
            stoppedBy = "the trace reached " + TraceReader.MAX_FILE_BYTES + " bytes (16 MB), the most a trace may hold";
            return false;
        }
        out.write(json);
        out.write('\n');
        bytes += size;
        records++;
        if (records >= Math.min(options.maxRecords(), TraceReader.MAX_RECORDS)) {
            stoppedBy = records >= TraceReader.MAX_RECORDS && options.maxRecords() > TraceReader.MAX_RECORDS
                    ? TraceReader.MAX_RECORDS + " records, the most a trace may hold" : "--max-records " + options.maxRecords();
        }
        return true;
    }

    /** The conversation's own id when it is usable and new, else its place in the file. */
    private String sessionId(JsonNode id) {
        String candidate = id != null && id.isValueNode() ? id.asText() : "";
        boolean usable = !candidate.isBlank() && candidate.length() <= 100 && candidate.chars().noneMatch(Character::isISOControl);
        String session = usable && !sessionIds.contains(candidate) ? candidate : "conversation-" + conversations;
        sessionIds.add(session);
        return session;
    }

    private static void count(Map<String, Count> counts, String what, int line) {
        counts.merge(what, new Count(1, line), (a, b) -> new Count(a.times() + 1, a.firstLine()));
    }

    private String where(JsonParser p) {
        var loc = p.currentTokenLocation();
        return inName + ":" + loc.getLineNr() + ":" + loc.getColumnNr();
    }

    private static String describe(JsonToken t) {
        return switch (t) {
            case START_OBJECT -> "an object";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            default -> t.asString() == null ? t.name().toLowerCase(Locale.ROOT) : "'" + t.asString() + "'";
        };
    }

    private static String shortened(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
