package io.tokensiege.coordinator.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.metric.Metric;
import io.tokensiege.coordinator.report.PercentileSummary;
import io.tokensiege.coordinator.report.SyntheticRun;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import picocli.CommandLine;

/** {@code tokensiege report}: rows per step, the raw layout behind --full, what --hgrm wrote, and --compare. */
class ReportCommandTest {
    static final String PLAN = """
            name: cmd
            targets:
              - { name: box, url: "http://127.0.0.1:9/v1", model: m }
            defaults: { warmup: 0 }
            scenarios:
              - { name: sweep, prompt: { tokens: 64 }, load: { concurrency: [1, 4, 16], duration: 10s } }
            slo: { ttft_p50: 1s, decode_p50_tok_s: 20 }
            """;

    @TempDir
    static Path root;
    /** A: collapses at 16 (TTFT and decode break the SLO). B: the same server tuned, nothing breaks. */
    static SyntheticRun a;
    static SyntheticRun b;

    @BeforeAll
    static void writeRuns() throws Exception {
        a = SyntheticRun.write(root.resolve("a"), PLAN, c -> c == 16 ? new SyntheticRun.Level(600, 2000, 8000, 12)
                : new SyntheticRun.Level(20 * c, 100, 200 + 20 * c, 45), true);
        b = SyntheticRun.write(root.resolve("b"), PLAN, c -> new SyntheticRun.Level(20 * c, 80, 150 + 10 * c, 50), true);
    }

    @Test
    void metricTtft_printsOneRowPerStep_withUnits_andNoRawLayout() {
        String out = run(a.dir.path().toString(), "--metric", "ttft");
        assertThat(out).contains("ttft in ms: t_first - t_send; from merged step totals")
                .contains("| step ").contains("|     n |").contains("p99.9 |").doesNotContain("Percentile").doesNotContain("NaN");
        for (StepResult step : a.results) {
            Histogram h = a.merged(step.identity().stepId(), Metric.TTFT_MICROS);
            PercentileSummary s = PercentileSummary.of(h, 1 / 1000.0);
            assertThat(out).containsPattern("\\| " + java.util.regex.Pattern.quote(step.identity().label()) + " +\\| +" + String.format("%,d", h.getTotalCount())
                    + " \\| +" + java.util.regex.Pattern.quote(PercentileSummary.format(s.values()[0], "ms")) + " \\|.*\\| +"
                    + java.util.regex.Pattern.quote(PercentileSummary.format(s.values()[3], "ms")) + " \\| +"
                    + java.util.regex.Pattern.quote(PercentileSummary.format(h.getMaxValue() / 1000.0, "ms")) + " \\|");
        }
        assertThat(run(a.dir.path().toString(), "--metric", "decode_rate")).contains("decode_rate in tok/s").contains("12.0 tok/s");
    }

    @Test
    void full_printsHdrHistogramsLayout() {
        String out = run(a.dir.path().toString(), "--full", "--step", "c16");
        assertThat(out).contains("Value     Percentile TotalCount 1/(1-Percentile)").contains("#[Max     =")
                .contains("Total count    =" + String.format("%13d", a.merged(a.results.get(2).identity().stepId(), Metric.TTFT_MICROS).getTotalCount()));
    }

    @Test
    void hgrm_saysWhereItWroteAndInWhichUnit() {
        Path dir = root.resolve("hgrm");
        String out = run(a.dir.path().toString(), "--metric", "e2e", "--hgrm", dir.toString());
        assertThat(out).contains("wrote 3 .hgrm files to " + dir.toAbsolutePath() + ": e2e, values in ms");
        assertThat(dir.resolve(a.results.get(0).identity().stepId() + ".e2e.hgrm")).isRegularFile();
    }

    @Test
    void badMetric_namesTheOption_andTheKnownOnes() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = new CommandLine(new ReportCommand()).execute(a.dir.path().toString(), "--metric", "tfft");
        } finally {
            System.setErr(old);
        }
        assertThat(code).isEqualTo(ExitCodes.INVALID_INPUT);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--metric: unknown metric 'tfft'; known: ttft");
    }

    @Test
    void compare_oneRunEach_givesNoVerdict_saysDashForZeroAgainstZero_comparesTheCollapse_andWritesCompareHtml() throws Exception {
        String out = run(a.dir.path().toString(), "--compare", b.dir.path().toString());
        assertThat(out).doesNotContain("NaN");
        assertThat(out).containsPattern("\\| box / sweep @16 \\| TTFT p50 ms \\| [0-9.,]+ \\| [0-9.,]+ \\| -\\d+\\.\\d % \\(no verdict: 1 vs 1 run\\) \\| no verdict \\|");
        assertThat(out).containsPattern("\\| box / sweep @16 \\| aggregate tok/s \\| 192 \\| 800 \\| \\+\\d+\\.\\d % [^|]*\\| no verdict \\|");
        assertThat(out).contains("| box / sweep @16 | error rate % | 0.0 | 0.0 | — | same |");
        assertThat(out).containsPattern("\\| box / sweep @4 \\| decode p50 tok/s \\| 45\\.0 \\| 50\\.0 \\| [^|]* \\| no verdict \\|");
        assertThat(out).contains("| box / sweep | collapse level | at 16 streams | none up to 16 streams | better |")
                .contains("| box / sweep | usable up to | 4 streams | 16 streams | better |")
                .contains("One run of a sweep on at least one side: its collapse level can move from run to run");
        Path html = b.dir.path().resolve("compare.html");
        assertThat(out).contains("wrote " + html);
        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(html.toFile()); // well-formed XML
        assertThat(doc.getElementsByTagName("svg").getLength()).isEqualTo(4);
        assertThat(doc.getElementsByTagName("script").getLength()).isZero();
        String page = Files.readString(html);
        assertThat(page).contains("data-run=\"A\"").contains("data-run=\"B\"").contains("class=\"collapse-marker\"");

        // worse the other way round
        assertThat(run(b.dir.path().toString(), "--compare", a.dir.path().toString()))
                .containsPattern("\\| box / sweep @16 \\| TTFT p50 ms \\| [^|]+ \\| [^|]+ \\| \\+\\d+\\.\\d % [^|]*\\| no verdict \\|")
                .contains("| box / sweep | collapse level | none up to 16 streams | at 16 streams | worse |");
    }

    private static String run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = new CommandLine(new ReportCommand()).execute(args);
        } finally {
            System.setOut(old);
        }
        assertThat(code).as(out.toString(StandardCharsets.UTF_8)).isZero();
        return out.toString(StandardCharsets.UTF_8);
    }
}
