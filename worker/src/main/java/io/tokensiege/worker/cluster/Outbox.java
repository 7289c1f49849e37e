package io.tokensiege.worker.cluster;

import com.hazelcast.collection.IQueue;
import io.tokensiege.common.protocol.MessageSigner;
import io.tokensiege.common.protocol.RecordChunk;
import io.tokensiege.common.protocol.ToCoordinator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's one way to the coordinator: every message is sealed on one sender thread, so sequence numbers leave
 * in order, and the caller (often an event loop) never waits, except a chunk of records (see {@link #send}).
 */
final class Outbox implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Outbox.class);
    private static final String COORDINATOR = "coordinator";
    /** Bound on one chunk of records reaching the cluster queue (the client's own invocation timeout is 10 s). */
    private static final long CHUNK_SEND_SECONDS = 30;

    private final MessageSigner signer;
    private final IQueue<String> toCoordinator;
    private final ExecutorService sender = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "worker-sender");
        t.setDaemon(true);
        return t;
    });

    Outbox(MessageSigner signer, IQueue<String> toCoordinator) {
        this.signer = signer;
        this.toCoordinator = toCoordinator;
    }

    /**
     * Sends {@code message} to the coordinator session {@code toSession}. A chunk of records waits until it is on the
     * queue (its caller is a blocking-pool thread reading them from disk), so a long step's records are never all
     * queued in memory at once.
     */
    void send(String toSession, ToCoordinator message) {
        Future<?> sent = enqueue(toSession, message);
        if (!(message instanceof RecordChunk)) return;
        try {
            sent.get(CHUNK_SEND_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("a chunk of records was not sent within {} s: {}", CHUNK_SEND_SECONDS, e.getMessage()); // the coordinator says it is missing
        }
    }

    private Future<?> enqueue(String toSession, ToCoordinator message) {
        try {
            return sender.submit(() -> {
                try {
                    toCoordinator.offer(signer.seal(COORDINATOR, toSession, message).wire());
                } catch (RuntimeException e) {
                    log.warn("could not send to the coordinator: {}", e.getMessage());
                }
            });
        } catch (RejectedExecutionException e) {
            log.debug("not sent, the worker is closing: {}", message.getClass().getSimpleName()); // close() raced this send
            return CompletableFuture.completedFuture(null);
        }
    }

    @Override
    public void close() {
        sender.shutdownNow();
    }
}
