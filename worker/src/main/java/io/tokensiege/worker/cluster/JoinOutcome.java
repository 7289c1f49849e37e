package io.tokensiege.worker.cluster;

import io.tokensiege.common.protocol.Envelope;
import io.tokensiege.common.protocol.JoinReply;
import io.tokensiege.common.protocol.ProtocolCodec;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How joining ends for whoever started the worker: the coordinator's first answer, accepted or refused
 * ({@link #joined()}), or giving up on finding one ({@link #gaveUp()}). Reads the coordinator's join replies, and a
 * refusal that cannot be verified at the first join, so the user learns why.
 */
final class JoinOutcome {
    // Logged as the worker, as before this class was split out of it: users and their log settings know that name.
    private static final Logger log = LoggerFactory.getLogger(ClusterWorker.class);

    private final Registration registration;
    private final Runnable onGiveUp;
    private final CompletableFuture<JoinReply> joined = new CompletableFuture<>();
    private final CompletableFuture<String> gaveUp = new CompletableFuture<>();

    /** @param onGiveUp run once, when the worker gives up: stops whatever it still runs */
    JoinOutcome(Registration registration, Runnable onGiveUp) {
        this.registration = registration;
        this.onGiveUp = onGiveUp;
    }

    /** Completes with the coordinator's first answer: accepted, or refused with why. */
    CompletableFuture<JoinReply> joined() {
        return joined;
    }

    /** Completes, with what was tried, when this worker gives up on finding a coordinator. */
    CompletableFuture<String> gaveUp() {
        return gaveUp;
    }

    /** A verified join reply of the session this worker answered. */
    void reply(JoinReply reply) {
        if (reply.accepted()) {
            registration.admitted();
            log.info("joined the coordinator (version {})", reply.coordinatorVersion());
            joined.complete(reply);
        } else if (!joined.complete(reply)) { // refused on registering again: signed by a coordinator holding our token, so final
            giveUp("the coordinator refused this worker: " + reply.message());
        } else {
            log.error("the coordinator refused this worker: {}", reply.message());
        }
    }

    /**
     * A coordinator holding another token refuses this worker with a reply we cannot verify. A refusal
     * grants nothing, so it is read (only to tell the user why) at the first join; any other unverifiable
     * message, or a refusal later (anyone on the cluster could write one), is only logged.
     */
    boolean refusal(String wire) {
        String body = Envelope.unverifiedBody(wire);
        try {
            if (body != null && ProtocolCodec.decodeToWorker(body) instanceof JoinReply reply && !reply.accepted()) {
                log.error("the coordinator refused this worker (unsigned for us): {}", reply.message());
                joined.complete(reply);
                return true;
            }
        } catch (IllegalArgumentException notAMessage) {
            // an unverifiable message that is not a refusal: ignored
        }
        return false;
    }

    /** Once: the first reason is the one reported. */
    void giveUp(String reason) {
        if (!gaveUp.complete(reason)) return;
        log.error("giving up: {}", reason);
        onGiveUp.run();
    }
}
