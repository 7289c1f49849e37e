package io.tokensiege.common.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokensiege.common.metric.Histograms;
import io.tokensiege.common.plan.Target;
import io.tokensiege.common.plan.Timeouts;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProtocolCodecTest {
    private static final Target TARGET = new Target("t", "http://127.0.0.1:1/v1", "m", "KEY_ENV", Map.of("x-a", "b"), Map.of("ignore_eos", true),
            new Target.Simulated("moe-35b-a3b", 20, Map.of()));

    @Test
    void everyMessage_roundTripsThroughTheCodec() {
        StepSpec step = new StepSpec("s1", 0, StepKind.CLOSED, TARGET, "c", 8, 1, 0, 1000, 100, 0, 200, 0.0, 64, true, 0, List.of(),
                Timeouts.DEFAULT, 1, "n", null, null, null);
        var h = Histograms.create();
        h.recordValue(1234);
        List<Object> messages = List.of(
                new AssignStep("r", "s1", "w", step, 3, 0, "sealed"), new StartStep("r", "s1", 123), new AbortStep("r", "s1", "why"),
                new WorkerReady("r", "s1", "w"), new WorkerFailed("r", "s1", "w", "k", "m", true),
                new IntervalSnapshot("r", "s1", "w", 1, 2, Map.of("ttft", Histograms.encode(h)), 5, 1, 0, 2, Histograms.encode(h), 1, 0),
                new WorkerHello("", "", "w", "host", 2, 1, "dev", ProtocolCodec.PROTOCOL_VERSION, "uuid"), new JoinChallenge("", "", "c", 7),
                new JoinAnswer("", "", "w", "c", 7, 8), new CommandAck("r", "s1", "w", 12), new WorkerHeartbeat("", "", "w", 3, 12_000));
        for (Object m : messages) {
            String wire = ProtocolCodec.encode(m);
            Object back = m instanceof ToWorker ? ProtocolCodec.decodeToWorker(wire) : ProtocolCodec.decodeToCoordinator(wire);
            assertThat(ProtocolCodec.encode(back)).isEqualTo(wire);
        }
        IntervalSnapshot snap = (IntervalSnapshot) ProtocolCodec.decodeToCoordinator(ProtocolCodec.encode(messages.get(5)));
        assertThat(Histograms.decode(snap.histograms().get("ttft")).getTotalCount()).isEqualTo(1);
        assertThatThrownBy(() -> ProtocolCodec.decodeToWorker("{\"type\":\"nope\"}")).hasMessageContaining("malformed ToWorker");
    }

    @Test
    void secretBox_sealsOpensAndSigns_andRefusesAnotherToken() {
        SecretBox a = new SecretBox("token-a");
        String sealed = a.seal("sk-secret-key");
        assertThat(sealed).doesNotContain("sk-secret-key");
        assertThat(a.open(sealed)).isEqualTo("sk-secret-key");
        assertThatThrownBy(() -> new SecretBox("token-b").open(sealed)).isInstanceOf(SecurityException.class);
        assertThat(a.verify("msg", a.sign("msg"))).isTrue();
        assertThat(new SecretBox("token-b").verify("msg", a.sign("msg"))).isFalse();
    }
}
