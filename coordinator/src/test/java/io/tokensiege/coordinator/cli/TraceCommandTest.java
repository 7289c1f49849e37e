package io.tokensiege.coordinator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code tokensiege trace convert | check}: what a user sees, and the exit codes scripts rely on. */
class TraceCommandTest {
    @TempDir
    Path dir;

    private record Result(int code, String out, String err) {}

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = new CommandLine(new TraceCommand()).execute(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void convertsTheShareGptSample_intoATraceThatChecksOk_reportingItsQuirks() throws Exception {
        Path in = dir.resolve("sample.json");
        try (InputStream s = TraceCommandTest.class.getResourceAsStream("/sharegpt/sample.json")) {
            Files.copy(s, in);
        }
        Path out = dir.resolve("out.jsonl");
        Result r = run("convert", "--sharegpt", in.toString(), out.toString(), "--turns-as-sessions");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains(out + ": 7 records in 6 sessions from 10 conversations")
                .contains("skipped 1 conversation(s): an unknown speaker 'narrator' (first at line")
                .contains("kept with a change 2 conversation(s): cut at an empty message");
        assertThat(Files.readAllLines(out)).hasSize(7);
        assertThat(dir.resolve("out.jsonl.tmp")).doesNotExist();

        Result check = run("check", out.toString());
        assertThat(check.code()).isZero();
        assertThat(check.out()).contains(out + ": OK (7 records, 6 sessions, no times: replays as fast as possible only, groups: none)");
        assertThat(run("check", "builtin:agent-traffic").out()).contains("builtin:agent-traffic: OK (26 records, 3 sessions, 47.5 s long, groups: agent, summarise)");
    }

    @Test
    void badInput_exitsWithCode2_andSaysWhatAndWhere_writingNothing() throws Exception {
        Path out = dir.resolve("out.jsonl");
        Path notJson = Files.writeString(dir.resolve("bad.json"), "[\n  {\"conversations\": [}\n]");
        Result r = run("convert", "--sharegpt", notJson.toString(), out.toString());
        assertThat(r.code()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(r.err()).isEqualTo(notJson + ":2:22: not JSON: Unexpected close marker '}': expected ']'\n"); // the brace that should have been ]
        assertThat(out).doesNotExist();

        Path nothing = Files.writeString(dir.resolve("empty.json"), "[{\"id\": \"x\"}]");
        Result none = run("convert", "--sharegpt", nothing.toString(), out.toString());
        assertThat(none.code()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(none.err()).contains("no usable conversation in " + nothing + ": nothing written");
        assertThat(none.out()).contains("skipped 1 conversation(s): no 'conversations' list (first at line 1)");
        assertThat(out).doesNotExist();

        assertThat(run("convert", "--sharegpt", dir.resolve("missing.json").toString(), out.toString()).err()).contains("missing.json: file not found");
        assertThat(run("convert", "--sharegpt", nothing.toString(), out.toString(), "--max-records", "0").err())
                .contains("--max-records must be from 1 to 100000, not 0");

        Path badTrace = Files.writeString(dir.resolve("t.jsonl"), "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}\n{\"messages\": [{\"role\": \"usr\", \"content\": \"x\"}]}\n");
        Result check = run("check", badTrace.toString());
        assertThat(check.code()).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(check.err()).contains(badTrace + ":2:24 (messages[0].role): role 'usr' is not one of system, user, assistant, tool").contains("did you mean 'user'?");
    }
}
