package io.tokensiege.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.protocol.ClockPing;
import io.tokensiege.common.protocol.ClockPong;
import io.tokensiege.common.protocol.CommandAck;
import io.tokensiege.common.protocol.EpochMicros;
import io.tokensiege.common.protocol.JoinChallenge;
import io.tokensiege.common.protocol.JoinReply;
import io.tokensiege.common.protocol.ProtocolCodec;
import io.tokensiege.common.protocol.ToWorker;
import io.tokensiege.common.protocol.WorkerHeartbeat;
import io.tokensiege.coordinator.run.WorkerLink;
import java.net.ServerSocket;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The coordinator's join and liveness rules, against a real embedded member and a worker played over a raw Hazelcast client. */
@Timeout(120)
class ClusterCoordinatorTest {
    private static final String TOKEN = "coordinator-test-token-0123456789";

    private static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** The one worker listed: a worker that has read its welcome is already listed (it is listed before the welcome goes). */
    private static WorkerLink listed(ClusterCoordinator coordinator) {
        List<WorkerLink> workers = coordinator.workers();
        assertThat(workers).hasSize(1);
        return workers.get(0);
    }

    @Test
    void aWorkerWhoseClockRunsAhead_getsItsOffsetMeasured_withinHalfTheRoundTrip() throws Exception {
        long aheadMicros = 2_000_000;
        int port = freePort();
        String cluster = "unit-" + UUID.randomUUID();
        try (ClusterCoordinator coordinator = new ClusterCoordinator(new ClusterCoordinator.Settings("127.0.0.1", port, cluster, 10), TOKEN);
             RawWorker worker = new RawWorker(cluster, port, TOKEN, "fast-clock")) {
            worker.clockAheadMicros = aheadMicros;
            assertThat(worker.join().accepted()).isTrue();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            int pongs = 0;
            while (System.nanoTime() < deadline && pongs < 3) {
                ToWorker m = worker.next(1); // the coordinator pings at join and every 2 s
                if (m == null) continue;
                worker.send(new CommandAck("", "", "fast-clock", worker.lastSeq));
                // The clock runs ahead by 2 s: so does what it stamps, which the age check must allow for once measured.
                if (m instanceof ClockPing ping) worker.send(new ClockPong("", "", "fast-clock", ping.coordinatorSentMicros(), EpochMicros.now() + aheadMicros));
                if (m instanceof ClockPing) pongs++;
            }
            WorkerLink link = coordinator.workers().get(0);
            double rttMs = (Double) coordinator.describeWorkers().get(0).get("clock_rtt_ms");
            assertThat(link.clockOffsetMicros()).isCloseTo(aheadMicros, org.assertj.core.data.Offset.offset((long) (rttMs * 1000 / 2) + 1));
        }
    }


    @Test
    void aWorkerOfAnotherProtocolVersion_isRefused_withBothVersionsNamed() throws Exception {
        int port = freePort();
        String cluster = "unit-" + UUID.randomUUID();
        try (ClusterCoordinator coordinator = new ClusterCoordinator(new ClusterCoordinator.Settings("127.0.0.1", port, cluster, 10), TOKEN);
             RawWorker worker = new RawWorker(cluster, port, TOKEN, "old-worker")) {
            worker.hello(999);
            JoinReply reply = (JoinReply) worker.next(30);
            assertThat(reply.accepted()).isFalse();
            assertThat(reply.message()).contains("protocol version 999").contains("0.0.1")
                    .contains("coordinator's " + ProtocolCodec.PROTOCOL_VERSION).contains("same tokensiege version");
            assertThat(coordinator.workers()).isEmpty();
        }
    }

    @Test
    void aHelloWhoseChallengeNobodyAnswers_admitsNobody() throws Exception {
        int port = freePort();
        String cluster = "unit-" + UUID.randomUUID();
        try (ClusterCoordinator coordinator = new ClusterCoordinator(new ClusterCoordinator.Settings("127.0.0.1", port, cluster, 2), TOKEN);
             RawWorker ghost = new RawWorker(cluster, port, TOKEN, "ghost")) {
            ghost.hello(ProtocolCodec.PROTOCOL_VERSION);
            assertThat(ghost.next(30)).isInstanceOf(JoinChallenge.class); // ... and nobody answers it
            TimeUnit.SECONDS.sleep(3); // past the 2 s a challenge waits: asserting that nothing happens needs the time to pass
            assertThat(coordinator.workers()).isEmpty();
            assertThat(coordinator.describeWorkers()).isEmpty();
        }
    }

    @Test
    void aWorkerThatFallsSilent_isDeclaredLost_asStuck_andTheRunMayGoOn() throws Exception {
        int port = freePort();
        String cluster = "unit-" + UUID.randomUUID();
        try (ClusterCoordinator coordinator = new ClusterCoordinator(new ClusterCoordinator.Settings("127.0.0.1", port, cluster, 2), TOKEN);
             RawWorker worker = new RawWorker(cluster, port, TOKEN, "drained")) {
            assertThat(worker.join().accepted()).isTrue();
            WorkerLink link = listed(coordinator);
            // From here on the worker reads nothing (as if someone drained its queue) and acknowledges nothing.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (link.alive() && System.nanoTime() < deadline) TimeUnit.MILLISECONDS.sleep(50); // polling a flag the coordinator's watchdog sets
            assertThat(link.alive()).isFalse();
            assertThat(link.lostReason()).contains("no acknowledgement or heartbeat for 2 s").contains("queue may have been drained, or it is stuck");
            assertThat(link.lossEndsRun()).isFalse();
            assertThat(coordinator.workers()).isEmpty();
        }
    }

    @Test
    void aWorkerThatKeepsBeatingButAcknowledgesNothing_isDeclaredDrained_andTheRunEnds() throws Exception {
        int port = freePort();
        String cluster = "unit-" + UUID.randomUUID();
        try (ClusterCoordinator coordinator = new ClusterCoordinator(new ClusterCoordinator.Settings("127.0.0.1", port, cluster, 2), TOKEN);
             RawWorker worker = new RawWorker(cluster, port, TOKEN, "drained")) {
            assertThat(worker.join().accepted()).isTrue();
            WorkerLink link = listed(coordinator);
            // Its heartbeats keep coming, but whatever is sent to it never arrives (someone else takes it): nothing is acknowledged.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (link.alive() && System.nanoTime() < deadline) {
                worker.send(WorkerHeartbeat.of("drained", WorkerHeartbeat.InboxState.IDLE));
                TimeUnit.MILLISECONDS.sleep(500); // the heartbeat's own pace, as a worker sends it
            }
            assertThat(link.alive()).isFalse();
            assertThat(link.lostReason()).contains("never acknowledged").contains("heartbeats kept coming").contains("being drained");
            assertThat(link.lossEndsRun()).isTrue();
        }
    }

    @Test
    void aStrangerWhoKnowsTheClusterName_cannotJoinAsAMember_onlyAsAClientThatTheProtocolIgnores() throws Exception {
        int port = freePort();
        String cluster = "unit-" + UUID.randomUUID();
        try (ClusterCoordinator coordinator = new ClusterCoordinator(new ClusterCoordinator.Settings("127.0.0.1", port, cluster, 10), TOKEN);
             RawWorker observer = new RawWorker(cluster, port, TOKEN, "observer")) {
            var stranger = new com.hazelcast.config.Config();
            stranger.setClusterName(cluster);
            stranger.setProperty("hazelcast.phone.home.enabled", "false");
            stranger.setProperty("hazelcast.max.join.seconds", "5");
            stranger.getNetworkConfig().setPort(freePort()).getJoin().getMulticastConfig().setEnabled(false);
            stranger.getNetworkConfig().getJoin().getAutoDetectionConfig().setEnabled(false);
            stranger.getNetworkConfig().getJoin().getTcpIpConfig().setEnabled(true).addMember("127.0.0.1:" + port);
            com.hazelcast.core.HazelcastInstance member = null;
            try {
                member = com.hazelcast.core.Hazelcast.newHazelcastInstance(stranger);
            } catch (IllegalStateException refused) {
                // what Hazelcast says when the join fails: the client socket does not speak the member protocol
            } finally {
                if (member != null) member.shutdown();
            }
            assertThat(observer.client.getCluster().getMembers()).as("members of the coordinator's cluster").hasSize(1);
        }
    }
}
