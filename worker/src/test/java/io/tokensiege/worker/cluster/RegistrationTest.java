package io.tokensiege.worker.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The worker's dead-man rule as its registration keeps it. */
class RegistrationTest {
    private static final long LIMIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void aMessageHeardInTime_keepsTheSession() {
        Registration r = new Registration(TimeUnit.HOURS.toNanos(1));
        r.challenged("coordinator-session", 0);
        r.admitted();
        r.heard();
        assertThat(r.silentTooLong()).isFalse();
        assertThat(r.admittedSession()).isEqualTo("coordinator-session");
    }

    @Test
    void onceSilentPastTheLimit_aMessageReadLate_doesNotSaveTheSession() {
        // A worker resuming from a pause reads its backlog on one thread while its watchdog checks the silence on another.
        Registration r = new Registration(LIMIT_NANOS);
        r.challenged("coordinator-session", 0);
        r.admitted();
        spinPast(LIMIT_NANOS);

        r.heard();

        assertThat(r.silentTooLong()).isTrue();
        assertThat(r.cancel()).as("a session the coordinator knows: a new one must register").isTrue();
        assertThat(r.silentTooLong()).as("nothing left to drop").isFalse();
    }

    @Test
    void cancellingAfterAnsweringAChallenge_butBeforeTheWelcome_stillAsksForANewSession() {
        Registration r = new Registration(LIMIT_NANOS);
        assertThat(r.cancel()).as("nothing answered yet").isFalse();
        r.challenged("coordinator-session", 0);
        assertThat(r.cancel()).isTrue();
    }

    private static void spinPast(long nanos) {
        long start = System.nanoTime();
        while (System.nanoTime() - start <= nanos) Thread.onSpinWait();
    }
}
