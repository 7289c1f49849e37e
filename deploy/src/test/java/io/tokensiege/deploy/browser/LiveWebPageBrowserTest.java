package io.tokensiege.deploy.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import io.tokensiege.common.json.Json;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.hawkular.agent.prometheus.text.TextPrometheusMetricDataParser;
import org.hawkular.agent.prometheus.types.Counter;
import org.hawkular.agent.prometheus.types.Metric;
import org.hawkular.agent.prometheus.types.MetricFamily;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The coordinator's page in a real browser (Debian's headless Chromium over the DevTools Protocol) while a run goes
 * against two simulated servers: the sign-in of a coordinator that needs its token, a plan checked and started from the page, live figures that become numbers within
 * 3 s of each step's start and change, charts with the expected series and points (the sweep's equal to run.json),
 * /metrics moving, a second run stopped from the page, and the finished run's report.html opened from disk.
 * Screenshots are kept in target/screenshots/.
 */
@Timeout(300)
class LiveWebPageBrowserTest {
    private static final Pattern NUMBER = Pattern.compile("[0-9][0-9,]*(\\.[0-9]+)?( ms| s)?");
    private static final Path SCREENSHOTS = Path.of(System.getProperty("basedir", ".")).resolve("target/screenshots");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String STATE = "(() => { const t = id => (document.getElementById(id) || {}).textContent || '';"
            + " const d = id => Object.assign({}, (document.getElementById(id) || {}).dataset || {});"
            + " return { status: t('run-status'), label: t('step-label'), start: d('step-elapsed').stepStart || '', ttft: t('live-ttft-p50'),"
            + " toks: t('live-tok-s'), ttftChart: d('chart-ttft'), toksChart: d('chart-toks'), inflightChart: d('chart-inflight'),"
            + " sweepChart: d('chart-sweep-ttft-p50') }; })()";

    @TempDir
    Path dir;

    /** What the page showed of one step: when it started, when its figures became numbers, and which values it showed. */
    private static final class StepSeen {
        long startEpochMillis;
        long numbersAtEpochMillis;
        final Set<String> ttft = new LinkedHashSet<>();
        final Set<String> toks = new LinkedHashSet<>();
    }

    @Test
    void theLivePage_showsARunStartedAndStoppedFromIt_andTheReportOpensFromDisk() throws Exception {
        Optional<Path> binary = Chromium.binary();
        if (binary.isEmpty()) {
            System.out.println("LiveWebPageBrowserTest SKIPPED: no chromium in /usr/bin (apt-get install chromium; .ci/run installs it)");
            Assumptions.abort("no chromium on this machine");
        }
        try (LiveCoordinator c = new LiveCoordinator(dir, List.of("moe-35b-a3b", "dense-26b"));
             Chromium browser = Chromium.start(binary.get(), dir, 1280, 1000)) {
            // Off loopback the page asks for the token once; the browser's own sign-in form gets through the cross-site guard.
            browser.open(c.signedBase + "/");
            browser.leaveBy("document.querySelector('input[name=token]').value = " + Json.write(LiveCoordinator.TOKEN)
                    + "; document.querySelector('form[action=\"/login\"]').submit()");
            browser.awaitTrue("document.getElementById('run-status') !== null && document.getElementById('run-status').textContent === 'no run yet'", 20_000);

            browser.open(c.base + "/");
            assertThat(browser.eval("document.getElementById('run-status').textContent").asText()).isEqualTo("no run yet");

            // A plan with a mistake comes back with the CLI's line-precise error, on the page.
            submitPlan(browser, c.plan("browser", "1, 3", "4s").replace("duration:", "durtion:"));
            browser.awaitTrue("document.getElementById('plan-errors') !== null", 20_000);
            assertThat(browser.eval("document.getElementById('plan-errors').textContent").asText())
                    .contains("pasted plan:7:87 (scenarios[0].load.durtion): unknown key").contains("did you mean 'duration'?");

            // The plan uploaded from a file: the page loads it into the form, then it is submitted.
            Path planFile = Files.writeString(dir.resolve("lab-sweep.yaml"), c.plan("browser", "1, 3", "4s"));
            browser.chooseFile("#plan-file", planFile);
            String planLoaded = "document.getElementById('plan-text').value === " + Json.write(Files.readString(planFile))
                    + " && document.getElementById('plan-name').value === 'lab-sweep.yaml'";
            browser.awaitTrue(planLoaded, 10_000);
            // A file picked while the page still loads, before live.js listens, loads too: the form back as the server drew it
            // (the error page's plan), live.js starting again.
            browser.eval("(t => { t.value = t.defaultValue; })(document.getElementById('plan-text')); document.getElementById('plan-name').value = '';"
                    + " document.dispatchEvent(new Event('DOMContentLoaded')); true");
            browser.awaitTrue(planLoaded, 10_000);
            browser.leaveBy("document.getElementById('start-run').click()");
            browser.awaitTrue("document.getElementById('run-status').textContent === 'running'", 20_000);
            Map<String, StepSeen> steps = follow(browser, c);

            for (var e : steps.entrySet()) {
                if (!e.getKey().contains(" @")) continue; // sweep levels; warm-up steps have no window
                StepSeen s = e.getValue();
                assertThat(s.numbersAtEpochMillis - s.startEpochMillis).as("live numbers of %s after its start (ms)", e.getKey()).isBetween(0L, 3_000L);
            }
            assertThat(steps.keySet()).contains("moe-35b-a3b / sweep @1", "moe-35b-a3b / sweep @3", "dense-26b / sweep @1", "dense-26b / sweep @3");
            assertThat(steps.values().stream().mapToInt(s -> s.toks.size()).sum()).as("distinct tok/s values shown").isGreaterThanOrEqualTo(6);
            assertThat(steps.values().stream().mapToInt(s -> s.ttft.size()).sum()).as("distinct TTFT values shown").isGreaterThanOrEqualTo(3);

            browser.awaitTrue("document.getElementById('run-status').textContent === 'finished'", 30_000);
            Path runA = newestRun(c.data);
            // the page reloads once the run has ended, so the run list shows its files; then it draws the sweep again. The list
            // rendered at the run's start already links report.html (its PARTIAL page): wait for a file only steps write.
            browser.awaitTrue("document.querySelector('#runs-table a[href=\"/runs/" + runA.getFileName() + "/results.csv\"]') !== null", 20_000);
            browser.awaitTrue("document.getElementById('chart-sweep-ttft-p50').dataset.points === '2'", 20_000);
            sweepChartsEqualRunJson(browser, Json.MAPPER.readTree(runA.resolve("run.json").toFile()));
            assertThat(browser.eval("[...document.querySelectorAll('#runs-table a')].map(a => a.getAttribute('href')).join(' ')").asText())
                    .contains("/runs/" + runA.getFileName() + "/report.html").contains("/runs/" + runA.getFileName() + "/summary.md")
                    .contains("/runs/" + runA.getFileName() + "/results.csv").contains("/runs/" + runA.getFileName() + "/run.json")
                    .contains("/runs/" + runA.getFileName() + "/plan.yaml");

            // A second run, stopped with the page's button once its first level runs.
            submitPlan(browser, c.plan("stopped", "2, 4", "20s"));
            browser.awaitTrue("document.getElementById('step-label').textContent.includes(' @')", 60_000);
            browser.leaveBy("document.getElementById('stop').click()");
            browser.awaitTrue("['failed', 'aborted'].includes(document.getElementById('run-status').textContent)", 60_000);
            Path runB = newestRun(c.data);
            assertThat(runB).isNotEqualTo(runA);
            JsonNode stopped = Json.MAPPER.readTree(runB.resolve("run.json").toFile());
            assertThat(stopped.path("status").asText()).isIn("failed", "aborted");
            assertThat(stopped.path("failures").toString()).contains("ABORTED");

            // The finished run's report, as a file on disk.
            browser.open(runA.resolve("report.html").toUri().toString());
            browser.screenshot(SCREENSHOTS.resolve("report.png"));
            assertThat(browser.eval("document.querySelectorAll('.target-card').length").asInt()).as("a card per target").isEqualTo(2);
            assertThat(browser.eval("document.querySelectorAll('svg.histogram-chart[data-metric=ttft]').length").asInt()).as("TTFT histogram charts")
                    .isGreaterThanOrEqualTo(1);
        }
    }

    private static void submitPlan(Chromium browser, String plan) throws Exception {
        browser.leaveBy("document.getElementById('plan-text').value = " + Json.write(plan) + "; document.getElementById('start-form').submit()");
        browser.awaitTrue("document.getElementById('run-status') !== null", 20_000);
    }

    /** Watches the page every 200 ms until the run ends, scraping /metrics on the way; returns what each step showed. */
    private Map<String, StepSeen> follow(Chromium browser, LiveCoordinator c) throws Exception {
        Map<String, StepSeen> steps = new LinkedHashMap<>();
        List<Double> tokensCounted = new ArrayList<>();
        boolean chartsChecked = false;
        boolean screenshot = false;
        long deadline = System.currentTimeMillis() + 180_000;
        long nextScrape = 0;
        while (System.currentTimeMillis() < deadline) {
            browser.awaitPageChange(1_000); // the page updates about once a second; read it when it has
            JsonNode s = browser.eval(STATE);
            if (s.isMissingNode() || s.isNull()) continue; // between two documents
            long now = System.currentTimeMillis();
            if (!s.path("status").asText().equals("running")) break;
            String label = s.path("label").asText();
            if (label.contains(" / ") && !s.path("start").asText().isEmpty()) {
                StepSeen seen = steps.computeIfAbsent(label, k -> new StepSeen());
                seen.startEpochMillis = Long.parseLong(s.path("start").asText());
                boolean numbers = NUMBER.matcher(s.path("ttft").asText()).matches() && NUMBER.matcher(s.path("toks").asText()).matches();
                if (numbers && seen.numbersAtEpochMillis == 0) seen.numbersAtEpochMillis = now;
                if (numbers) {
                    seen.ttft.add(s.path("ttft").asText());
                    seen.toks.add(s.path("toks").asText());
                }
            }
            if (!chartsChecked && s.path("ttftChart").path("points").asInt() >= 3) {
                chartsChecked = true;
                assertThat(s.path("ttftChart").path("series").asText()).isEqualTo("TTFT p50|TTFT p95");
                assertThat(s.path("toksChart").path("series").asText()).isEqualTo("output tok/s");
                assertThat(s.path("inflightChart").path("series").asText()).isEqualTo("in flight|before first token");
                // uPlot holds the points it drew: an x per second and numbers in each series
                JsonNode drawn = browser.eval("window.tokensiegeCharts['chart-toks'].plot.data");
                assertThat(drawn.get(0).size()).isGreaterThanOrEqualTo(3);
                assertThat(drawn.get(1).toString()).containsPattern("[0-9]");
                assertThat(browser.eval("document.querySelectorAll('#chart-ttft canvas').length").asInt()).isEqualTo(1);
            }
            if (!screenshot && label.equals("dense-26b / sweep @3") && s.path("ttftChart").path("points").asInt() >= 3) {
                screenshot = true;
                browser.screenshot(SCREENSHOTS.resolve("live-page.png"));
            }
            if (now >= nextScrape) {
                nextScrape = now + 2_000;
                tokensCounted.add(scrapeTokens(c.base));
            }
        }
        assertThat(chartsChecked).as("the live charts got 3 points").isTrue();
        assertThat(screenshot).as("a screenshot of the live page").isTrue();
        assertThat(tokensCounted).as("/metrics output tokens over the run").hasSizeGreaterThanOrEqualTo(3);
        assertThat(tokensCounted.get(tokensCounted.size() - 1)).isGreaterThan(tokensCounted.get(0));
        return steps;
    }

    /** /metrics read by a Prometheus text-format parser: the output tokens counted so far, over every target. */
    private static double scrapeTokens(String base) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
        TextPrometheusMetricDataParser parser = new TextPrometheusMetricDataParser(new ByteArrayInputStream(r.body().getBytes(StandardCharsets.UTF_8)));
        double tokens = 0;
        Set<String> families = new LinkedHashSet<>();
        for (MetricFamily f = parser.parse(); f != null; f = parser.parse()) {
            families.add(f.getName());
            if (f.getName().equals("tokensiege_output_tokens_total")) for (Metric m : f.getMetrics()) tokens += ((Counter) m).getValue();
        }
        assertThat(families).contains("tokensiege_run_in_progress", "tokensiege_workers_connected", "tokensiege_worker_up");
        return tokens;
    }

    /** The sweep charts drew exactly run.json's figures: one series per target, one point per level. */
    private static void sweepChartsEqualRunJson(Chromium browser, JsonNode run) throws Exception {
        Map<String, String> charts = Map.of("chart-sweep-ttft-p50", "/ttft_ms/p50", "chart-sweep-ttft-p95", "/ttft_ms/p95",
                "chart-sweep-toks", "/aggregate_tok_s", "chart-sweep-decode", "/decode_tok_s/p50");
        for (var chart : charts.entrySet()) {
            assertThat(browser.eval("document.getElementById('" + chart.getKey() + "').dataset.series").asText()).isEqualTo("moe-35b-a3b / sweep|dense-26b / sweep");
            JsonNode data = browser.eval("window.tokensiegeCharts['" + chart.getKey() + "'].plot.data");
            assertThat(data.get(0).toString()).isEqualTo("[1,3]");
            List<String> targets = List.of("moe-35b-a3b", "dense-26b");
            for (int t = 0; t < targets.size(); t++) {
                for (int l = 0; l < 2; l++) {
                    int level = data.get(0).get(l).asInt();
                    JsonNode step = null;
                    for (JsonNode st : run.path("steps")) {
                        if (st.path("target").asText().equals(targets.get(t)) && st.path("kind").asText().equals("CLOSED") && st.path("concurrency").asInt() == level) step = st;
                    }
                    assertThat(step).as("%s @%d in run.json", targets.get(t), level).isNotNull();
                    assertThat(data.get(t + 1).get(l).asDouble()).as("%s %s @%d", chart.getKey(), targets.get(t), level)
                            .isCloseTo(step.at(chart.getValue()).asDouble(), within(1e-9));
                }
            }
        }
    }

    private static Path newestRun(Path data) throws Exception {
        try (Stream<Path> s = Files.list(data)) {
            return s.filter(Files::isDirectory).max(java.util.Comparator.comparing(p -> p.getFileName().toString())).orElseThrow();
        }
    }
}
