package io.tokensiege.deploy;

import io.tokensiege.common.protocol.ProtocolCodec;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.protocol.ToCoordinator;
import io.tokensiege.common.protocol.ToWorker;
import io.tokensiege.coordinator.run.WorkerLink;
import io.tokensiege.worker.WorkerAgent;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/**
 * Coordinator and N workers in one JVM, joined by a bus that encodes and decodes every message with
 * {@link ProtocolCodec} — the same records the cluster carries, so a local run exercises the seam.
 */
final class InProcessCluster implements AutoCloseable {
    private final List<WorkerLink> links = new ArrayList<>();
    private final List<ExecutorService> mailboxes = new ArrayList<>();

    InProcessCluster(Vertx vertx, int workers, SecretBox secrets, Consumer<ToCoordinator> toCoordinator) {
        ExecutorService upstream = Executors.newSingleThreadExecutor(r -> daemon(r, "bus-to-coordinator"));
        mailboxes.add(upstream);
        Consumer<ToCoordinator> send = m -> {
            String wire = ProtocolCodec.encode(m);
            upstream.execute(() -> deliver(() -> toCoordinator.accept(ProtocolCodec.decodeToCoordinator(wire))));
        };
        for (int i = 1; i <= workers; i++) {
            String id = "local-" + i;
            WorkerAgent agent = new WorkerAgent(vertx, id, secrets, send, io.tokensiege.common.security.TargetAllowList.ANY);
            ExecutorService mailbox = Executors.newSingleThreadExecutor(r -> daemon(r, "bus-to-" + id));
            mailboxes.add(mailbox);
            links.add(new WorkerLink() {
                @Override
                public String workerId() {
                    return id;
                }

                @Override
                public void send(ToWorker message) {
                    String wire = ProtocolCodec.encode(message);
                    mailbox.execute(() -> deliver(() -> agent.onMessage(ProtocolCodec.decodeToWorker(wire))));
                }
            });
        }
    }

    List<WorkerLink> links() {
        return links;
    }

    /** A message that cannot be decoded or handled is a bug: say so loudly, keep the bus alive. */
    private static void deliver(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(InProcessCluster.class).error("in-process bus could not deliver a message: {}", e.getMessage(), e);
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public void close() {
        mailboxes.forEach(ExecutorService::shutdownNow);
    }
}
