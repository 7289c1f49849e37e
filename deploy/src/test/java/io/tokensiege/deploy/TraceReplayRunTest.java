package io.tokensiege.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.analysis.StepResult;
import io.tokensiege.common.json.Json;
import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.plan.PlanReader;
import io.tokensiege.coordinator.cli.ExitCodes;
import io.tokensiege.coordinator.run.RunOutcome;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The built-in agent trace replayed through a whole local run (coordinator, two in-process workers, a simulated
 * server): as fast as each concurrency level goes and at the trace's own pace, with results per scenario group; and a
 * trace with a bad line refused by the CLI, exit 2, before anything is sent.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TraceReplayRunTest {
    @TempDir
    Path runs;

    @Test
    void theBuiltInTrace_replaysAsFastAsPossibleAndAtItsPace_withResultsPerGroup_sessionsWholeOnOneWorker() throws Exception {
        String yaml = """
                name: replay
                targets:
                  - { name: sim, simulated: { profile: moe-35b-a3b, speed: 40 } }
                defaults: { warmup: 1, max_tokens: 64, ramp: 0s }
                scenarios:
                  - { name: fast, trace: { builtin: agent-traffic }, load: { concurrency: [1, 4] } }
                  - { name: paced, trace: { builtin: agent-traffic, timing: scaled, speed: 4 } }
                """;
        RunOutcome o = LocalRun.execute(PlanReader.parse(yaml, "replay.yaml"), 2, runs, new PrintStream(new ByteArrayOutputStream()), null);
        assertThat(o.failures()).isEmpty();
        assertThat(o.steps()).extracting(res -> res.identity().label()).containsExactly("sim / fast @1", "sim / fast @4", "sim / paced replay (x4 speed)");

        for (StepResult level : o.steps().subList(0, 2)) { // once through the trace at each level: every record, measured
            assertThat(level.outcome().requests()).isEqualTo(26);
            assertThat(level.outcome().ok()).isEqualTo(26);
            assertThat(level.parts()).containsOnlyKeys("agent", "summarise");
            assertThat(level.parts().get("agent").requests()).isEqualTo(18);
            assertThat(level.parts().get("summarise").requests()).isEqualTo(8);
            assertThat(level.parts().get("agent").ttftP50Ms()).isPositive();
        }
        StepResult fast4 = o.steps().get(1);
        assertThat(fast4.workerShares()).containsEntry("local-1", 2).containsEntry("local-2", 2);

        StepResult paced = o.steps().get(2);
        assertThat(paced.open().scheduled()).isEqualTo(26);
        assertThat(paced.open().notSent()).isZero();
        assertThat(paced.outcome().ok()).isEqualTo(26);
        assertThat(paced.parts()).containsOnlyKeys("agent", "summarise");
        assertThat(paced.open().ttftIntendedMs().p50()).isGreaterThanOrEqualTo(paced.dist().ttftMs().p50());

        // Each worker got whole sessions: its turns of a session run 1, 2, ... with none missing.
        List<RequestRecord> records = records(o.directory());
        for (String step : List.of(fast4.identity().stepId(), paced.identity().stepId())) {
            Map<String, List<Integer>> turnsBySession = records.stream().filter(r -> r.origin().stepId().equals(step) && r.agent() != null)
                    .collect(Collectors.groupingBy(r -> r.origin().workerId() + "/" + r.agent().session(), Collectors.mapping(rec -> rec.origin().turn(), Collectors.toList())));
            assertThat(turnsBySession).hasSize(3); // the trace's three agents
            assertThat(turnsBySession.values().stream().mapToInt(List::size).sum()).isEqualTo(18);
            turnsBySession.forEach((session, turns) -> assertThat(turns.stream().sorted().toList()).as(session)
                    .isEqualTo(java.util.stream.IntStream.rangeClosed(1, turns.size()).boxed().toList()));
            assertThat(records.stream().filter(r -> r.origin().stepId().equals(step)).map(rec -> rec.origin().workerId()).distinct()).as("both workers replayed").hasSize(2);
        }
        String summary = Files.readString(o.directory().resolve("summary.md"));
        assertThat(summary).contains("fast @4: agent TTFT p50 / p95, decode p50 (n)")
                .contains("paced (builtin:agent-traffic, scaled x4): schedule lag p50 / p99")
                .contains("paced: summarise TTFT p50 / p95, decode p50 (n)");
    }

    private static List<RequestRecord> records(Path dir) throws Exception {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(dir.resolve("requests.jsonl.gz")))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(l -> Json.read(l, RequestRecord.class)).toList();
        }
    }

    @Test
    void aTraceWithABadLine_isRefusedByRun_exitCode2_namingTheLine_beforeAnythingIsSent() throws Exception {
        try (ServerSocketChannel target = ServerSocketChannel.open()) {
            target.bind(new InetSocketAddress("127.0.0.1", 0));
            target.configureBlocking(false);
            int port = ((InetSocketAddress) target.getLocalAddress()).getPort();
            Files.writeString(runs.resolve("trace.jsonl"), """
                    {"timestamp": 0, "messages": [{"role": "user", "content": "hello"}]}
                    {"timestamp": 1, "messages": [{"role": "user", "content": "again"}]}
                    {"delay": -0.5, "messages": [{"role": "user", "content": "and again"}]}
                    """);
            Path plan = runs.resolve("plan-with-trace.yaml");
            Files.writeString(plan, "name: bad-trace\ntargets:\n  - { name: t, url: \"http://127.0.0.1:" + port + "/v1\", model: m }\n"
                    + "scenarios:\n  - { name: replay, trace: { file: trace.jsonl } }\n");
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            PrintStream old = System.err;
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code;
            try {
                code = new CommandLine(new Tokensiege()).execute("run", plan.toString(), "--local", "--data", runs.toString());
            } finally {
                System.setErr(old);
            }
            assertThat(code).isEqualTo(ExitCodes.INVALID_INPUT);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains(runs.resolve("trace.jsonl") + ":3:11 (delay): 'delay' must not be negative, not -0.5");
            assertThat(target.accept()).as("no connection ever reached the target").isNull();
            try (var dirs = Files.list(runs)) {
                assertThat(dirs.filter(Files::isDirectory)).as("no run directory").isEmpty();
            }
        }
    }
}
