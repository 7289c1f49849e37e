package io.tokensiege.common.trace.sharegpt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tokensiege.common.plan.TraceReader;
import io.tokensiege.common.trace.Trace;
import io.tokensiege.common.trace.TraceRecord;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ShareGPT conversations into a trace: the records a replay needs, the real files' quirks counted with their line, and the output a valid trace. */
class ShareGptConverterTest {
    private static String sample() throws Exception {
        try (InputStream in = ShareGptConverterTest.class.getResourceAsStream("/sharegpt/sample.json")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The 1-based line of the first occurrence of {@code marker} in the sample. */
    private static int lineOf(String text, String marker) {
        return (int) text.substring(0, text.indexOf(marker)).chars().filter(c -> c == '\n').count() + 1;
    }

    private static ShareGptConverter.Report convert(String json, StringWriter out, ShareGptConverter.Options o) throws Exception {
        return ShareGptConverter.convert(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "sample.json", out, o);
    }

    @Test
    void oneRecordPerConversation_isItsFirstHumanTurn_sizedByTheReply_andQuirksAreCountedWithTheirLine() throws Exception {
        String sample = sample();
        StringWriter out = new StringWriter();
        ShareGptConverter.Report r = convert(sample, out, new ShareGptConverter.Options(100, false));

        assertThat(r.conversations()).isEqualTo(10);
        assertThat(r.records()).isEqualTo(6);
        assertThat(r.skipped()).containsOnlyKeys("no 'conversations' list", "not an object", "an unknown speaker 'narrator'", "no human turn");
        assertThat(r.skipped().get("no 'conversations' list")).isEqualTo(new ShareGptConverter.Count(1, lineOf(sample, "{\"id\": \"no-messages\"}")));
        assertThat(r.skipped().get("not an object").firstLine()).isEqualTo(lineOf(sample, "\"not a conversation\""));
        assertThat(r.adjusted()).containsOnlyKeys("a reply before the first human turn dropped", "cut at an empty message",
                "two messages in a row from one speaker joined");
        assertThat(r.adjusted().get("cut at an empty message")).isEqualTo(new ShareGptConverter.Count(2, lineOf(sample, "\"conv-6\"")));
        assertThat(r.stoppedBy()).isNull();

        Trace t = TraceReader.parse(out.toString(), "out.jsonl"); // a valid trace
        assertThat(t.records()).hasSize(6);
        TraceRecord first = t.records().get(0);
        assertThat(first.messages()).extracting(m -> m.role()).containsExactly("system", "user");
        assertThat(first.messages().get(1).content()).isEqualTo("What is a load tester?");
        assertThat(first.maxTokens()).isEqualTo((int) Math.ceil("A tool that sends many requests to a server and measures how it copes.".length() / 4.0));
        assertThat(t.records().get(1).messages()).extracting(m -> m.role()).containsExactly("user"); // the early reply dropped
        assertThat(t.records().get(3).messages().get(0).content()).isEqualTo("Part one of my question\n\nand part two");
        assertThat(t.records().get(5).maxTokens()).isNull(); // no reply recorded: the plan's max_tokens
        assertThat(t.sessionCount()).isZero();
    }

    @Test
    void turnsAsSessions_isASessionPerConversation_eachTurnWithTheRecordedHistory() throws Exception {
        StringWriter out = new StringWriter();
        ShareGptConverter.Report r = convert(sample(), out, new ShareGptConverter.Options(100, true));
        assertThat(r.records()).isEqualTo(7);
        assertThat(r.sessions()).isEqualTo(6);

        Trace t = TraceReader.parse(out.toString(), "out.jsonl");
        List<TraceRecord> conv1 = t.records().stream().filter(x -> "conv-1".equals(x.session())).toList();
        assertThat(conv1).extracting(TraceRecord::turn).containsExactly(1, 2);
        assertThat(conv1.get(1).messages()).extracting(m -> m.role()).containsExactly("system", "user", "assistant", "user");
        assertThat(conv1.get(1).messages().get(2).content()).startsWith("A tool that sends"); // the recorded reply, as history
        assertThat(t.records().stream().map(TraceRecord::session).distinct()).hasSize(6).contains("conversation-8"); // the repeated id got its own
    }

    @Test
    void maxRecords_stopsTheConversion_andSaysSo() throws Exception {
        StringWriter out = new StringWriter();
        ShareGptConverter.Report r = convert(sample(), out, new ShareGptConverter.Options(2, true));
        assertThat(r.records()).isEqualTo(2);
        assertThat(r.stoppedBy()).isEqualTo("--max-records 2");
        assertThat(out.toString().lines()).hasSize(2);
    }

    @Test
    void aFileThatIsNotShareGpt_isRefusedWithItsPlace() {
        assertThat(catchThrowableOfType(ShareGptConverter.ConversionException.class, () -> convert("{\"conversations\": []}", new StringWriter(),
                new ShareGptConverter.Options(10, false))).getMessage()).isEqualTo("sample.json:1:1: a ShareGPT file is a JSON array of conversations, not an object");
        assertThat(catchThrowableOfType(ShareGptConverter.ConversionException.class, () -> convert("[\n {\"id\": 1,,}]", new StringWriter(),
                new ShareGptConverter.Options(10, false))).getMessage()).startsWith("sample.json:2:11: not JSON: "); // the second comma
        assertThat(catchThrowableOfType(ShareGptConverter.ConversionException.class, () -> convert("", new StringWriter(),
                new ShareGptConverter.Options(10, false))).getMessage()).contains("not an empty file");
    }
}
