package io.tokensiege.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import io.tokensiege.common.cluster.ClusterNames;
import io.tokensiege.common.protocol.ClockPing;
import io.tokensiege.common.protocol.ClockPong;
import io.tokensiege.common.protocol.EpochMicros;
import io.tokensiege.common.protocol.Envelope;
import io.tokensiege.common.protocol.JoinReply;
import io.tokensiege.common.protocol.ProtocolCodec;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.protocol.WorkerHello;
import io.tokensiege.coordinator.run.WorkerLink;
import java.net.ServerSocket;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The coordinator's join rules, against a real embedded member and a raw Hazelcast client. */
class ClusterCoordinatorTest {
    private static final String TOKEN = "coordinator-test-token-0123456789";

    @Test
    void aWorkerWhoseClockRunsAhead_getsItsOffsetMeasured_withinHalfTheRoundTrip() throws Exception {
        long aheadMicros = 2_000_000;
        int port = freePort();
        String cluster = "unit-" + UUID.randomUUID();
        try (ClusterCoordinator coordinator = new ClusterCoordinator(new ClusterCoordinator.Settings("127.0.0.1", port, cluster, 10), TOKEN)) {
            var client = HazelcastClient.newHazelcastClient(clientConfig(cluster, port));
            try {
                SecretBox box = new SecretBox(TOKEN);
                String uuid = client.getLocalEndpoint().getUuid().toString();
                var hello = new WorkerHello("", "", "fast-clock", "host", 2, 1, "dev", ProtocolCodec.PROTOCOL_VERSION, uuid,
                        box.sign(WorkerHello.proofText("fast-clock", uuid)));
                var toCoordinator = client.<String>getQueue(ClusterNames.TO_COORDINATOR);
                var inbox = client.<String>getQueue(ClusterNames.toWorker("fast-clock"));
                toCoordinator.offer(Envelope.seal(box, hello));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                WorkerLink link = null;
                while (System.nanoTime() < deadline && (link == null || !measured(coordinator))) {
                    String wire = inbox.poll(1, TimeUnit.SECONDS); // the coordinator pings at join and every 2 s
                    if (wire != null && ProtocolCodec.decodeToWorker(Envelope.open(box, wire)) instanceof ClockPing ping) {
                        toCoordinator.offer(Envelope.seal(box, new ClockPong("", "", "fast-clock", ping.coordinatorSentMicros(), EpochMicros.now() + aheadMicros)));
                    }
                    link = coordinator.workers().isEmpty() ? null : coordinator.workers().get(0);
                }
                assertThat(measured(coordinator)).as("a clock sample within 30 s").isTrue();
                double rttMs = (Double) coordinator.describeWorkers().get(0).get("clock_rtt_ms");
                assertThat(link.clockOffsetMicros()).isCloseTo(aheadMicros, org.assertj.core.data.Offset.offset((long) (rttMs * 1000 / 2) + 1));
            } finally {
                client.shutdown();
            }
        }
    }

    private static boolean measured(ClusterCoordinator coordinator) {
        return !coordinator.describeWorkers().isEmpty() && (Double) coordinator.describeWorkers().get(0).get("clock_rtt_ms") >= 0;
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static ClientConfig clientConfig(String cluster, int port) {
        ClientConfig config = new ClientConfig();
        config.setClusterName(cluster);
        config.getNetworkConfig().addAddress("127.0.0.1:" + port);
        return config;
    }

    @Test
    void aWorkerOfAnotherProtocolVersion_isRefused_withBothVersionsNamed() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String cluster = "unit-" + UUID.randomUUID();
        try (ClusterCoordinator coordinator = new ClusterCoordinator(new ClusterCoordinator.Settings("127.0.0.1", port, cluster, 10), TOKEN)) {
            ClientConfig config = new ClientConfig();
            config.setClusterName(cluster);
            config.getNetworkConfig().addAddress("127.0.0.1:" + port);
            var client = HazelcastClient.newHazelcastClient(config);
            try {
                SecretBox box = new SecretBox(TOKEN);
                String uuid = client.getLocalEndpoint().getUuid().toString();
                var hello = new WorkerHello("", "", "old-worker", "host", 2, 1, "0.0.1", 999, uuid, box.sign(WorkerHello.proofText("old-worker", uuid)));
                client.<String>getQueue(ClusterNames.TO_COORDINATOR).offer(Envelope.seal(box, hello));
                String wire = client.<String>getQueue(ClusterNames.toWorker("old-worker")).poll(30, TimeUnit.SECONDS);
                JoinReply reply = (JoinReply) ProtocolCodec.decodeToWorker(Envelope.open(box, wire));
                assertThat(reply.accepted()).isFalse();
                assertThat(reply.message()).contains("protocol version 999").contains("0.0.1")
                        .contains("coordinator's " + ProtocolCodec.PROTOCOL_VERSION).contains("same tokensiege version");
                assertThat(coordinator.workers()).isEmpty();
            } finally {
                client.shutdown();
            }
        }
    }
}
