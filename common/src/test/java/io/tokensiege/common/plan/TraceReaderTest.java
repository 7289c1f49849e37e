package io.tokensiege.common.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tokensiege.common.trace.Trace;
import io.tokensiege.common.trace.TraceRecord;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The JSONL trace format: read when right; every bad line refused with its line, column, field path and what is wrong. */
class TraceReaderTest {
    static final String HI = "[{\"role\": \"user\", \"content\": \"hi\"}]";
    static final String GOOD = "{\"timestamp\": 10, \"messages\": " + HI + "}";

    @TempDir
    Path dir;

    @Test
    void aTraceWithSessionsToolCallsAndTimes_isRead() throws PlanException {
        Trace t = TraceReader.parse(String.join("\n",
                "{\"timestamp\": 0.5, \"scenario\": \"chat\", \"max_tokens\": 64, \"messages\": " + HI + "}",
                "",
                "{\"delay\": 1.25, \"session\": \"a\", \"turn\": 1, \"scenario\": \"agent\", \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"search\"}}],"
                        + " \"tool_choice\": \"required\", \"messages\": [{\"role\": \"system\", \"content\": \"be brief\"}, {\"role\": \"user\", \"content\": \"find x\"}]}",
                "{\"timestamp\": 2, \"session\": \"a\", \"turn\": 2, \"scenario\": \"agent\", \"messages\": [{\"role\": \"user\", \"content\": \"find x\"},"
                        + " {\"role\": \"assistant\", \"content\": null, \"tool_calls\": [{\"id\": \"c1\", \"type\": \"function\", \"function\": {\"name\": \"search\", \"arguments\": \"{\\\"q\\\": \\\"x\\\"}\"}}]},"
                        + " {\"role\": \"tool\", \"tool_call_id\": \"c1\", \"content\": \"x is 4\"}]}",
                "{\"session\": 7, \"turn\": 1, \"messages\": " + HI + "}") + "\n", "t.jsonl");

        assertThat(t.records()).extracting(TraceRecord::line).containsExactly(1, 3, 4, 5); // blank lines are skipped, lines keep their numbers
        assertThat(t.records()).extracting(TraceRecord::atMicros).containsExactly(500_000L, 1_750_000L, 2_000_000L, 2_000_000L);
        assertThat(t.timed()).isTrue();
        assertThat(t.spanMicros()).isEqualTo(2_000_000L);
        assertThat(t.groups()).containsExactly("chat", "agent");
        assertThat(t.sessionCount()).isEqualTo(2);
        assertThat(t.units()).hasSize(3); // the standalone request, session a (two turns), session 7
        TraceRecord call = t.records().get(2);
        assertThat(call.messages().get(1).toolCalls()).singleElement().satisfies(c -> {
            assertThat(c.id()).isEqualTo("c1");
            assertThat(c.arguments()).isEqualTo("{\"q\": \"x\"}");
        });
        assertThat(call.messages().get(2).toolCallId()).isEqualTo("c1");
        assertThat(t.records().get(1).toolChoice()).isEqualTo("required");
        assertThat(t.records().get(1).tools()).hasSize(1);
        assertThat(t.records().get(0).maxTokens()).isEqualTo(64);
        assertThat(t.records().get(3).session()).isEqualTo("7");
    }

    static Stream<Arguments> badLines() {
        return Stream.of(
                Arguments.of("{\"messages\": " + HI, "", "not JSON: Unexpected end-of-input", "<end>"),
                Arguments.of("{\"timestamp\": 11}", "", "missing 'messages'", "{"),
                Arguments.of("{\"messages\": [{\"role\": \"robot\", \"content\": \"hi\"}]}", "messages[0].role",
                        "role 'robot' is not one of system, user, assistant, tool", "\"robot\""),
                Arguments.of("{\"delay\": -2, \"messages\": " + HI + "}", "delay", "'delay' must not be negative, not -2", "-2"),
                Arguments.of("{\"timestamp\": 3, \"messages\": " + HI + "}", "timestamp",
                        "timestamp 3 s is before the previous record's time, 10 s (line 1): timestamps must not go backwards", "3,"),
                Arguments.of("{\"max_token\": 5, \"messages\": " + HI + "}", "max_token", "unknown key 'max_token'", "\"max_token\""),
                Arguments.of("{\"messages\": [{\"role\": \"tool\", \"tool_call_id\": \"c9\", \"content\": \"{}\"}]}", "messages[0].tool_call_id",
                        "tool_call_id 'c9' answers no earlier tool call in this record's messages", "\"c9\""),
                Arguments.of("{\"messages\": [{\"role\": \"user\", \"content\": 42}]}", "messages[0].content", "content must be text, not the value 42", "42"),
                Arguments.of("{\"timestamp\": 12, \"delay\": 1, \"messages\": " + HI + "}", "delay", "give timestamp or delay, not both", "1,"),
                Arguments.of("{\"turn\": 2, \"messages\": " + HI + "}", "turn", "turn goes with session", "2,"),
                Arguments.of("[1, 2]", "", "a trace line is one JSON object, not a list", "["),
                Arguments.of("{\"messages\": " + HI + "} {\"x\": 1}", "", "more after the record", "{\"x\""),
                Arguments.of("{\"messages\": [{\"role\": \"user\", \"content\": \"a\", \"content\": \"b\"}]}", "messages[0].content", "duplicate key 'content'",
                        "\"content\": \"b\""),
                Arguments.of("{\"messages\": [{\"role\": \"assistant\", \"content\": null}]}", "messages[0].content", "an assistant message needs content", "null"),
                Arguments.of("{\"scenario\": \"two words\", \"messages\": " + HI + "}", "scenario", "'two words' is not a usable name", "\"two words\""),
                Arguments.of("{\"messages\": " + HI + ", \"max_tokens\": 0}", "max_tokens", "'max_tokens' must be between 1 and 1000000, not 0", "0}"),
                Arguments.of("{\"messages\": [{\"role\": \"user\", \"content\": \"x\", \"tool_calls\": []}]}", "messages[0].tool_calls",
                        "tool_calls are made by assistant messages", "[]"));
    }

    @ParameterizedTest(name = "{2}")
    @MethodSource("badLines")
    void aBadLine_isRefusedWithItsLineColumnAndPath(String badLine, String path, String message, String at) {
        PlanException e = catchThrowableOfType(PlanException.class, () -> TraceReader.parse(GOOD + "\n" + badLine + "\n", "t.jsonl"));
        assertThat(e).as("the trace should have been refused").isNotNull();
        assertThat(e.errors()).as("errors: %s", e.errors()).hasSize(1);
        PlanError error = e.errors().get(0);
        int column = at.equals("<end>") ? badLine.length() + 1 : badLine.indexOf(at) + 1;
        assertThat(error.line()).isEqualTo(2);
        assertThat(error.column()).as("column of %s", error).isEqualTo(column);
        assertThat(error.path()).isEqualTo(path);
        assertThat(error.message()).contains(message);
        assertThat(error.toString()).startsWith("t.jsonl:2:" + column + (path.isEmpty() ? ":" : " (" + path + "):"));
    }

    @Test
    void aSessionsTurnsOutOfOrder_areRefusedNamingTheEarlierLine() {
        PlanException e = catchThrowableOfType(PlanException.class, () -> TraceReader.parse(GOOD + "\n"
                + "{\"session\": \"s\", \"turn\": 2, \"messages\": " + HI + "}\n"
                + "{\"session\": \"s\", \"turn\": 1, \"messages\": " + HI + "}\n", "t.jsonl"));
        assertThat(e.errors()).singleElement().satisfies(err -> {
            assertThat(err.line()).isEqualTo(3);
            assertThat(err.column()).isEqualTo(26); // the turn's value
            assertThat(err.message()).isEqualTo("turn 1 of session 's' comes after its turn 2 (line 2): a session's turns must be in order");
        });
    }

    @Test
    void everyBadLineIsReported_notJustTheFirst() {
        PlanException e = catchThrowableOfType(PlanException.class, () -> TraceReader.parse("nope\n" + GOOD + "\n{\"delay\": -1, \"messages\": []}\n", "t.jsonl"));
        assertThat(e.errors()).extracting(PlanError::line).containsExactly(1, 3, 3);
        assertThat(e.getMessage()).contains("t.jsonl:1:1: not JSON").contains("t.jsonl:3:11 (delay): 'delay' must not be negative")
                .contains("t.jsonl:3:27 (messages): 'messages' must be a non-empty list");
    }

    @Test
    void anEmptyTrace_andBytesThatAreNotUtf8_areRefused() throws Exception {
        assertThat(catchThrowableOfType(PlanException.class, () -> TraceReader.parse("\n\n", "t.jsonl")).getMessage())
                .contains("t.jsonl: the trace holds no records");
        Path latin = dir.resolve("latin.jsonl");
        Files.write(latin, ("{\"messages\": [{\"role\": \"user\", \"content\": \"caf\u00e9\"}]}\n" + "{\"messages\": [{\"role\": \"user\", \"content\": \"caf").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Files.write(latin, new byte[] {(byte) 0xE9, '"', '}', ']', '}', '\n'}, java.nio.file.StandardOpenOption.APPEND);
        PlanError e = catchThrowableOfType(PlanException.class, () -> TraceReader.read(latin, "latin.jsonl")).errors().get(0);
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.column()).isEqualTo(47); // the 47th character of the line is where decoding stopped
        assertThat(e.message()).startsWith("not UTF-8: byte 0xE9");
    }

    @Test
    void sizeBounds_areCheckedBeforeReadingWhole() throws Exception {
        Path big = dir.resolve("big.jsonl");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(TraceReader.MAX_FILE_BYTES + 1L); // sparse: refused by its size, never read
        }
        assertThat(catchThrowableOfType(PlanException.class, () -> TraceReader.read(big, "big.jsonl")).getMessage())
                .contains("big.jsonl: trace is larger than 16777216 bytes (16 MB): 16777217 bytes");

        String longLine = "{\"messages\": [{\"role\": \"user\", \"content\": \"" + "x".repeat(TraceReader.MAX_LINE_BYTES) + "\"}]}";
        assertThat(catchThrowableOfType(PlanException.class, () -> TraceReader.parse(GOOD + "\n" + longLine, "t.jsonl")).getMessage())
                .contains("t.jsonl:2:1: the line is " + (longLine.length()) + " bytes; a record has at most 524288 (512 KB)");

        // Under the line bound, but quotes are escaped twice on the way to a worker: too large for one cluster message.
        String quotes = "{\"messages\": [{\"role\": \"user\", \"content\": \"" + "\\\"".repeat(260_000) + "\"}]}";
        assertThat(catchThrowableOfType(PlanException.class, () -> TraceReader.parse(quotes, "t.jsonl")).getMessage())
                .contains("t.jsonl:1:1: the record is").contains("bytes as sent to a worker");

        String many = (GOOD.replace("\"timestamp\": 10, ", "") + "\n").repeat(TraceReader.MAX_RECORDS + 1);
        assertThat(catchThrowableOfType(PlanException.class, () -> TraceReader.parse(many, "t.jsonl")).getMessage())
                .contains("t.jsonl:100001:1: more than 100000 records");
    }

    @Test
    void theBuiltInAgentTrace_hasSessionsToolCallsAndStandaloneRequests() throws PlanException {
        Trace t = TraceReader.builtin("agent-traffic");
        assertThat(t.records()).hasSizeBetween(20, 40);
        assertThat(t.timed()).isTrue();
        assertThat(t.groups()).containsExactlyInAnyOrder("agent", "summarise");
        assertThat(t.sessionCount()).isGreaterThanOrEqualTo(3);
        assertThat(t.records()).anySatisfy(r -> assertThat(r.messages()).anySatisfy(m -> assertThat(m.toolCalls()).isNotEmpty()));
        assertThat(t.records()).anySatisfy(r -> assertThat(r.messages()).anySatisfy(m -> assertThat(m.role()).isEqualTo("tool")));
        assertThat(t.records().stream().filter(r -> "agent".equals(r.scenario())).mapToInt(r -> r.messages().get(0).content().length()).min().orElse(0))
                .as("an agent's system prompt, of realistic size").isGreaterThan(1500);
        assertThat(t.records().stream().mapToInt(r -> r.messages().size()).max().orElse(0)).as("a late turn carries the whole history").isGreaterThan(10);
        assertThat(catchThrowableOfType(PlanException.class, () -> TraceReader.builtin("nope")).getMessage()).contains("built-in traces: agent-traffic");
    }

    @Test
    void unitsKeepSessionsWhole() throws PlanException {
        Trace t = TraceReader.parse(String.join("\n",
                "{\"session\": \"a\", \"turn\": 1, \"messages\": " + HI + "}",
                "{\"messages\": " + HI + "}",
                "{\"session\": \"b\", \"turn\": 1, \"messages\": " + HI + "}",
                "{\"session\": \"a\", \"turn\": 2, \"messages\": " + HI + "}"), "t.jsonl");
        List<List<TraceRecord>> units = t.units();
        assertThat(units).hasSize(3);
        assertThat(units.get(0)).extracting(TraceRecord::line).containsExactly(1, 4);
        assertThat(units.get(1)).extracting(TraceRecord::line).containsExactly(2);
        assertThat(units.get(2)).extracting(TraceRecord::line).containsExactly(3);
    }
}
