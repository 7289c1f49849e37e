package io.tokensiege.worker.cluster;

import io.tokensiege.common.protocol.ClockPing;
import io.tokensiege.common.protocol.ClockPong;
import io.tokensiege.common.protocol.Envelope;
import io.tokensiege.common.protocol.EpochMicros;
import io.tokensiege.common.protocol.JoinAnswer;
import io.tokensiege.common.protocol.JoinChallenge;
import io.tokensiege.common.protocol.MessageSigner;
import io.tokensiege.common.protocol.ReplayGuard;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clock sync, the worker's side: answers the coordinator's join challenge and its pings (every 2 s) with this
 * worker's wall clock at once, so the coordinator can estimate the offset from the round trip; and keeps the
 * samples from which {@link Registration#coordinatorAheadMicros()} judges a command's freshness.
 */
final class ClockAnswers {
    private static final Logger log = LoggerFactory.getLogger(ClockAnswers.class);

    private final String workerId;
    private final Registration registration;
    private final ReplayGuard guard;
    private final MessageSigner signer;
    private final Outbox outbox;

    ClockAnswers(String workerId, Registration registration, ReplayGuard guard, MessageSigner signer, Outbox outbox) {
        this.workerId = workerId;
        this.registration = registration;
        this.guard = guard;
        this.signer = signer;
        this.outbox = outbox;
    }

    /** Answers a challenge addressed to this session while not admitted; its freshness is the coordinator's to judge. */
    void challenge(Envelope.Header h, JoinChallenge c) {
        if (registration.admittedSession() != null) {
            log.debug("ignored a join challenge: already admitted");
            return;
        }
        guard.accept(h, signer.session(), false, 0, false);
        registration.challenged(h.fromSession(), c.coordinatorSentMicros());
        outbox.send(h.fromSession(), new JoinAnswer("", "", workerId, c.challenge(), c.coordinatorSentMicros(), EpochMicros.now()));
    }

    /** Answers a ping of the admitted coordinator (already verified and accepted). */
    void ping(Envelope.Header h, ClockPing ping) {
        registration.clockSample(ping.coordinatorSentMicros());
        outbox.send(h.fromSession(), new ClockPong("", "", workerId, ping.coordinatorSentMicros(), EpochMicros.now()));
    }
}
