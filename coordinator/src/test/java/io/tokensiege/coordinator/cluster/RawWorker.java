package io.tokensiege.coordinator.cluster;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.collection.IQueue;
import com.hazelcast.core.HazelcastInstance;
import io.tokensiege.common.cluster.ClusterNames;
import io.tokensiege.common.protocol.CommandAck;
import io.tokensiege.common.protocol.Envelope;
import io.tokensiege.common.protocol.EpochMicros;
import io.tokensiege.common.protocol.JoinAnswer;
import io.tokensiege.common.protocol.JoinChallenge;
import io.tokensiege.common.protocol.JoinReply;
import io.tokensiege.common.protocol.MessageSigner;
import io.tokensiege.common.protocol.ProtocolCodec;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.protocol.ToCoordinator;
import io.tokensiege.common.protocol.ToWorker;
import io.tokensiege.common.protocol.WorkerHello;
import java.util.concurrent.TimeUnit;

/** A worker played by hand over a raw Hazelcast client: it says hello, answers the challenge, and sends what a test wants. */
final class RawWorker implements AutoCloseable {
    final HazelcastInstance client;
    final MessageSigner signer;
    final IQueue<String> inbox;
    private final IQueue<String> toCoordinator;
    private final SecretBox box;
    private final String id;
    private String coordinatorSession = Envelope.ANY_SESSION;
    long lastSeq;
    /** How far this worker's clock runs ahead of the coordinator's: added to every time it reports. */
    long clockAheadMicros;

    RawWorker(String cluster, int port, String token, String id) {
        ClientConfig config = new ClientConfig();
        config.setClusterName(cluster);
        config.getNetworkConfig().addAddress("127.0.0.1:" + port);
        this.client = HazelcastClient.newHazelcastClient(config);
        this.box = new SecretBox(token);
        this.signer = new MessageSigner(box, id);
        this.id = id;
        this.inbox = client.getQueue(ClusterNames.toWorker(id));
        this.toCoordinator = client.getQueue(ClusterNames.TO_COORDINATOR);
    }

    void hello(int protocolVersion) {
        toCoordinator.offer(signer.seal("coordinator", Envelope.ANY_SESSION, new WorkerHello("", "", id, "host", 2, 1, "0.0.1", protocolVersion,
                client.getLocalEndpoint().getUuid().toString())).wire());
    }

    void send(ToCoordinator m) {
        toCoordinator.offer(signer.seal("coordinator", coordinatorSession, m).wire());
    }

    /** The next message for this worker within {@code seconds}, signature checked (null when none came). */
    ToWorker next(int seconds) throws InterruptedException {
        String wire = inbox.poll(seconds, TimeUnit.SECONDS);
        if (wire == null) return null;
        Envelope.Opened o = Envelope.open(box, wire);
        coordinatorSession = o.header().fromSession();
        lastSeq = o.header().seq();
        return ProtocolCodec.decodeToWorker(o.body());
    }

    /** Hello, challenge, answer: the coordinator's reply (acknowledged, as a worker does). */
    JoinReply join() throws InterruptedException {
        hello(ProtocolCodec.PROTOCOL_VERSION);
        JoinChallenge c = (JoinChallenge) next(30);
        send(new JoinAnswer("", "", id, c.challenge(), c.coordinatorSentMicros(), EpochMicros.now() + clockAheadMicros));
        while (true) {
            if (next(30) instanceof JoinReply reply) {
                send(new CommandAck("", "", id, lastSeq));
                return reply;
            }
        }
    }

    @Override
    public void close() {
        client.shutdown();
    }
}
