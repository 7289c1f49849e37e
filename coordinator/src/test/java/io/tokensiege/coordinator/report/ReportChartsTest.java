package io.tokensiege.coordinator.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.metric.Histograms;
import io.tokensiege.common.metric.Metric;
import io.tokensiege.common.metric.RequestRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** report.html drawn from a run directory of known requests: what is plotted and tabulated is what the merged histograms hold. */
class ReportChartsTest {
    static final String PLAN = """
            name: charts
            targets:
              - { name: real, url: "http://127.0.0.1:9/v1", model: m-real }
              - { name: sim, simulated: { profile: moe-35b-a3b, speed: 10 } }
            defaults: { warmup: 0 }
            scenarios:
              - { name: sweep, prompt: { tokens: 64 }, load: { concurrency: [1, 4, 16], duration: 10s } }
            slo: { ttft_p50: 1s, decode_p50_tok_s: 20, error_rate: 0.01 }
            """;

    /** 1 and 4 streams meet the SLO on the real target; 16 breaks TTFT and decode (aggregate still grows, so the SLO is the rule). */
    static SyntheticRun.Level level(int streams) {
        return switch (streams) {
            case 1 -> new SyntheticRun.Level(20, 100, 200, 45);
            case 4 -> new SyntheticRun.Level(100, 150, 400, 40);
            default -> new SyntheticRun.Level(600, 2000, 8000, 12);
        };
    }

    @TempDir
    static Path root;
    static SyntheticRun run;
    static Document html;

    /** One run for every test: they only read it. */
    @BeforeAll
    static void writeRun() throws Exception {
        run = SyntheticRun.write(root, PLAN, ReportChartsTest::level, true);
        html = parse(run.dir.path().resolve("report.html"));
    }

    @Test
    void ttftCurves_plotTheMergedHistogramsValueAtEachPercentile_forEveryLevel_inEachTargetsTime() throws Exception {
        for (String target : List.of("real", "sim")) {
            double factor = target.equals("sim") ? 10 / 1000.0 : 1 / 1000.0;
            for (StepResult step : stepsOf(target)) {
                Histogram merged = run.merged(step.identity().stepId(), Metric.TTFT_MICROS);
                List<Element> points = elements("//svg[contains(@class,'histogram-chart')][@data-metric='ttft'][@data-target='" + target
                        + "']//circle[@data-level='" + step.levelLabel() + "']");
                assertThat(points).as(target + " " + step.levelLabel()).isNotEmpty();
                double lastCy = Double.MAX_VALUE;
                List<Double> percentiles = new ArrayList<>();
                for (Element p : points) {
                    double percentile = Double.parseDouble(p.getAttribute("data-p"));
                    percentiles.add(percentile);
                    assertThat(Double.parseDouble(p.getAttribute("data-v"))).as("p" + percentile)
                            .isCloseTo(merged.getValueAtPercentile(percentile) * factor, within(1e-9));
                    double cy = Double.parseDouble(p.getAttribute("cy"));
                    assertThat(cy).as("higher percentiles never plot lower").isLessThanOrEqualTo(lastCy);
                    lastCy = cy;
                }
                // a percentile is drawn only where there are values enough for it: p99.9 needs 1,000
                assertThat(percentiles.contains(99.9)).isEqualTo(merged.getTotalCount() >= 1000);
                assertThat(percentiles).contains(50.0);
            }
            assertThat(elements("//svg[contains(@class,'histogram-chart')][@data-target='" + target + "']"))
                    .extracting(e -> e.getAttribute("data-metric")).containsExactly("ttft", "itl", "e2e", "decode_rate");
        }
        assertThat(elements("//svg[contains(@class,'histogram-chart')]")).allMatch(e -> e.getAttribute("data-y-scale").equals("log"));
    }

    @Test
    void tables_showTheMergedHistogramsPercentiles() throws Exception {
        for (StepResult step : stepsOf("real")) {
            Histogram merged = run.merged(step.identity().stepId(), Metric.TTFT_MICROS);
            Element row = elements("//table[@class='percentile-table'][@data-target='real']//tr[@data-level='" + step.levelLabel() + "']").get(0);
            for (String[] p : new String[][] {{"p50", "50"}, {"p90", "90"}, {"p99", "99"}, {"p99.9", "99.9"}}) {
                Element cell = elements(row, "td[@data-p='" + p[0] + "']").get(0);
                double q = Double.parseDouble(p[1]);
                if (merged.getTotalCount() < 1 / (1 - q / 100) - 1e-9) { // too few values for that percentile: none is made up
                    assertThat(cell.getTextContent()).isEqualTo("—");
                    continue;
                }
                double expected = merged.getValueAtPercentile(q) / 1000.0;
                assertThat(Double.parseDouble(cell.getAttribute("data-v"))).isCloseTo(expected, within(1e-9));
                assertThat(cell.getTextContent()).isEqualTo(PercentileSummary.format(expected, "ms"));
            }
            // the side-by-side table's TTFT p50 / p95 come from the same histogram
            String label = "sweep @" + step.identity().concurrency() + ": TTFT p50 / p95";
            Element cell = elements("//table[@class='side-by-side']//tr[td[1]='" + label + "']/td[@data-target='real']").get(0);
            assertThat(cell.getTextContent()).startsWith(SummaryTable.ms(merged.getValueAtPercentile(50) / 1000.0) + " / "
                    + SummaryTable.ms(merged.getValueAtPercentile(95) / 1000.0));
        }
    }

    @Test
    void histogramsFile_holdsTheMergedStepTotals_andTheSecondsOfTheHlog() throws Exception {
        StepResult top = stepsOf("real").get(2);
        StepHistograms kept = StepHistograms.read(run.dir.path(), top.identity().stepId(), 1, null).orElseThrow();
        Histogram merged = run.merged(top.identity().stepId(), Metric.TTFT_MICROS);
        assertThat(kept.total(Metric.TTFT_MICROS)).isEqualTo(merged);
        assertThat(kept.total(Metric.E2E_MICROS)).isEqualTo(run.merged(top.identity().stepId(), Metric.E2E_MICROS));
        assertThat(kept.ttftPerSecond()).hasSize(SyntheticRun.SECONDS);
        assertThat(Files.readString(StepHistograms.path(run.dir.path(), top.identity().stepId()))).contains("\"totals\"").contains("\"ttft\"");

        // TTFT over the step: each second is the add of every worker's interval ending in it
        Map<Double, Histogram> bySecond = new TreeMap<>();
        for (String worker : SyntheticRun.WORKERS) {
            List<RequestRecord> mine = run.records.get(top.identity().stepId()).stream().filter(r -> r.origin().workerId().equals(worker)).toList();
            for (int s = 0; s < SyntheticRun.SECONDS; s++) {
                Histogram h = Histograms.decode(SyntheticRun.histograms(mine.subList(s * mine.size() / SyntheticRun.SECONDS,
                        (s + 1) * mine.size() / SyntheticRun.SECONDS)).get("ttft"));
                bySecond.computeIfAbsent(s + 1.0, k -> Histograms.create()).add(h);
            }
        }
        List<Element> points = elements("//svg[contains(@class,'ttft-over-time')][@data-target='real']//circle[@data-level='16 streams']");
        assertThat(points).hasSize(SyntheticRun.SECONDS);
        for (Element p : points) {
            Histogram second = bySecond.get(Double.parseDouble(p.getAttribute("data-second")));
            assertThat(Double.parseDouble(p.getAttribute("data-v"))).isCloseTo(second.getValueAtPercentile(50) / 1000.0, within(1e-9));
        }
        // send order: one dot per request (fewer than the cap), TTFT as measured
        assertThat(elements("//svg[contains(@class,'send-order')][@data-target='real']//g[@data-level='4 streams']/circle")).hasSize(200);
    }

    @Test
    void latencyAxis_isLogWhenItSpansMoreThan20x_andSloLinesAndCollapseMarkersSitWhereTheyBelong() throws Exception {
        Element ttft = elements("//svg[contains(@class,'sweep-chart')][@data-metric='ttft']").get(0);
        Element aggregate = elements("//svg[contains(@class,'sweep-chart')][@data-metric='aggregate_tok_s']").get(0);
        assertThat(ttft.getAttribute("data-y-scale")).as("TTFT from ~150 ms to ~80 s").isEqualTo("log");
        assertThat(aggregate.getAttribute("data-y-scale")).as("4.5 to 192 tok/s").isEqualTo("linear");
        assertThat(elements(ttft, ".//text[@class='y-tick']")).extracting(Element::getTextContent).contains("1 s", "10 s");

        // the SLO line of TTFT p50 1 s sits on the "1 s" tick
        Element slo = elements(ttft, ".//line[@class='slo-line']").get(0);
        assertThat(slo.getAttribute("data-value")).isEqualTo("1000.0");
        Element oneSecond = elements(ttft, ".//text[@class='y-tick'][.='1 s']").get(0);
        assertThat(Double.parseDouble(slo.getAttribute("y1"))).isCloseTo(Double.parseDouble(oneSecond.getAttribute("y")) - 4, within(0.11));
        Element decode = elements("//svg[contains(@class,'sweep-chart')][@data-metric='decode_rate']").get(0);
        assertThat(elements(decode, ".//line[@class='slo-line']").get(0).getAttribute("data-value")).isEqualTo("20.0");

        // every chart of the sweep marks where 'real' collapses: at 16, over the "16" tick
        for (Element chart : elements("//svg[contains(@class,'sweep-chart')]")) {
            Element marker = elements(chart, ".//line[@class='collapse-marker'][@data-target='real']").get(0);
            assertThat(marker.getAttribute("data-level")).isEqualTo("16");
            Element tick = elements(chart, ".//text[@class='x-tick'][.='16']").get(0);
            assertThat(marker.getAttribute("x1")).isEqualTo(tick.getAttribute("x"));
        }
        assertThat(elements("//svg[contains(@class,'histogram-chart')][@data-target='real']//text[@class='legend'][.='16 streams (collapse)']")).hasSize(4);
    }

    @Test
    void aCardPerTarget_saysUpToWhichLevelItIsUsable_whereItCollapses_andTheSloLevelByLevel() throws Exception {
        List<Element> cards = elements("//section[@class='target-card']");
        assertThat(cards).extracting(e -> e.getAttribute("data-target")).containsExactly("real", "sim");
        String real = elements(cards.get(0), ".//p[@class='collapse-line']").get(0).getTextContent();
        assertThat(real).matches("sweep: usable up to 4 streams; collapses at 16: TTFT p50 \\d\\.\\d s > 1\\.0 s, decode p50 12\\.0 < 20 tok/s; ~16 decoded at once charts");
        assertThat(elements(cards.get(0), ".//p[@class='slo-words']").get(0).getTextContent())
                .matches("SLO met up to 4 streams; broken from 16 streams: TTFT p50 .*, decode p50 12\\.0 < 20 tok/s");
        // the simulated target: 10x slower in its own time, so no level meets the SLO, and the card says so, never "MEETS"
        assertThat(cards.get(1).getTextContent()).contains("SIMULATED").contains("usable at no level; collapses at 1: ")
                .contains("SLO not met even at 1 stream").doesNotContain("MEETS");
        // the flag behind the 4-stream cells is linked to its explanation
        assertThat(elements(cards.get(0), ".//a[@href='#flag-clamped_values']")).hasSize(1);
        assertThat(elements("//dt[@id='flag-clamped_values']")).hasSize(1);
        assertThat(elements("//table[@class='side-by-side']//a[@class='flag'][@href='#flag-clamped_values']")).isNotEmpty();
        assertThat(html.getDocumentElement().getTextContent()).doesNotContain("NaN");
        assertThat(html.getElementsByTagName("script").getLength()).isZero();
    }

    @Test
    void partialBanner_standsUntilTheRunEnds() throws Exception {
        SyntheticRun running = SyntheticRun.write(root.resolve("running"), PLAN, ReportChartsTest::level, false);
        Document during = parse(running.dir.path().resolve("report.html"));
        assertThat(elements(during, "//p[@class='partial-banner']")).hasSize(1);
        assertThat(elements(during, "//p[@class='partial-banner']").get(0).getTextContent()).contains("PARTIAL: run in progress").contains("6 of 6");
        running.finish();
        assertThat(elements(parse(running.dir.path().resolve("report.html")), "//p[@class='partial-banner']")).isEmpty();
        assertThat(elements("//p[@class='partial-banner']")).as("the finished run of @BeforeAll").isEmpty();
    }

    @Test
    void agentSessions_drawTtftAndTheCachedShareByTurn_perLevel() throws Exception {
        SyntheticRun agents = SyntheticRun.write(root.resolve("agents"), """
                name: agents
                targets:
                  - { name: box, url: "http://127.0.0.1:9/v1", model: m }
                defaults: { warmup: 0 }
                scenarios:
                  - { name: sessions, prefix: { tokens: 2000 }, turns: 4, load: { sessions: [1, 4], duration: 10s } }
                """, c -> new SyntheticRun.Level(40 * c, 200, 400, 40), true);
        Document doc = parse(agents.dir.path().resolve("report.html"));
        for (StepResult step : agents.results) {
            List<Element> ttft = elements(doc, "//svg[contains(@class,'turn-ttft')]//circle[@data-level='" + step.levelLabel() + "']");
            assertThat(ttft).extracting(e -> e.getAttribute("data-turn")).containsExactly("1", "2", "3", "4");
            List<Element> cached = elements(doc, "//svg[contains(@class,'turn-cached')]//circle[@data-level='" + step.levelLabel() + "']");
            assertThat(cached).hasSize(4);
            assertThat(cached.get(1).getAttribute("cy")).as("56 of 64 tokens cached on turn 2, none on turn 1").isNotEqualTo(cached.get(0).getAttribute("cy"));
            // turn 1 is cold (3x slower here): its point sits higher than turn 2's
            assertThat(Double.parseDouble(ttft.get(0).getAttribute("cy"))).isLessThan(Double.parseDouble(ttft.get(1).getAttribute("cy")));
        }
        assertThat(elements(doc, "//section[@class='target-card']//p[@class='collapse-line']").get(0).getTextContent()).contains("sessions");
    }

    @Test
    void withTwoRepeats_theSweepChartPlotsTheirMedian_theMeanOfTheTwo_asTheRepeatsSectionDoes() throws Exception {
        SyntheticRun repeated = SyntheticRun.write(root.resolve("repeats"), """
                name: repeats
                targets:
                  - { name: box, url: "http://127.0.0.1:9/v1", model: m }
                defaults: { warmup: 0, repeat: 2 }
                scenarios:
                  - { name: sweep, prompt: { tokens: 64 }, load: { concurrency: [1, 4], duration: 10s } }
                """, ReportChartsTest::level, true);
        Document doc = parse(repeated.dir.path().resolve("report.html"));
        for (String level : List.of("1", "4")) {
            double[] p50s = repeated.results.stream().filter(r -> SweepChart.levelLabel(r.level()).equals(level)).mapToDouble(r -> r.userTtftMs().p50()).toArray();
            assertThat(p50s).hasSize(2);
            assertThat(p50s[0]).as("the repeats differ, so the mean is neither").isNotEqualTo(p50s[1]);
            Element p50 = elements(doc, "//svg[contains(@class,'sweep-chart')][@data-metric='ttft']//circle[@data-level='" + level + "']").get(0);
            assertThat(Double.parseDouble(p50.getAttribute("data-v"))).isCloseTo((p50s[0] + p50s[1]) / 2, within(1e-9));
        }
    }

    @Test
    void fromResultsAlone_thePageStillAnswers_butDrawsNoHistogram() throws Exception {
        Path page = root.resolve("alone.html");
        Files.writeString(page, HtmlReport.render(run.plan, run.results, List.of(), io.tokensiege.common.analysis.RunVerdict.of(run.plan, run.results)));
        Document alone = parse(page);
        assertThat(elements(alone, "//section[@class='target-card']")).hasSize(2);
        assertThat(elements(alone, "//svg[contains(@class,'sweep-chart')]")).hasSize(3);
        assertThat(elements(alone, "//svg[contains(@class,'histogram-chart')]")).isEmpty();
        assertThat(elements(alone, "//p[@class='partial-banner']")).isEmpty();
    }

    private List<StepResult> stepsOf(String target) {
        return run.results.stream().filter(r -> r.identity().target().equals(target)).toList();
    }

    static Document parse(Path file) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile()); // throws unless well-formed XML
    }

    private List<Element> elements(String xpath) throws Exception {
        return elements(html, xpath);
    }

    static List<Element> elements(Object context, String xpath) throws Exception {
        NodeList nodes = (NodeList) XPathFactory.newInstance().newXPath().evaluate(xpath, context, XPathConstants.NODESET);
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) out.add((Element) nodes.item(i));
        return out;
    }
}
