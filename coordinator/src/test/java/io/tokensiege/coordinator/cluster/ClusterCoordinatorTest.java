package io.tokensiege.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import io.tokensiege.common.cluster.ClusterNames;
import io.tokensiege.common.protocol.Envelope;
import io.tokensiege.common.protocol.JoinReply;
import io.tokensiege.common.protocol.ProtocolCodec;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.protocol.WorkerHello;
import java.net.ServerSocket;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The coordinator's join rules, against a real embedded member and a raw Hazelcast client. */
class ClusterCoordinatorTest {
    private static final String TOKEN = "coordinator-test-token-0123456789";

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
