package io.tokensiege.worker.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.protocol.AbortStep;
import io.tokensiege.common.protocol.Envelope;
import io.tokensiege.common.protocol.EpochMicros;
import io.tokensiege.common.protocol.JoinChallenge;
import io.tokensiege.common.protocol.JoinReply;
import io.tokensiege.common.protocol.MessageSigner;
import io.tokensiege.common.protocol.ReplayGuard;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.protocol.ToWorker;
import io.tokensiege.common.protocol.WorkerHeartbeat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The worker's inbox and the dead-man rule: dropping the session (which aborts every step) never interleaves with a
 * command being checked and obeyed, so no command read for the old session is obeyed after its steps were aborted.
 */
class CommandInboxTest {
    private final SecretBox box = new SecretBox("test-token");
    private final MessageSigner worker = new MessageSigner(box, "w1");
    private final MessageSigner coordinator = new MessageSigner(box, "coordinator");
    private final Registration registration = new Registration(TimeUnit.SECONDS.toNanos(10));
    private final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final CountDownLatch obeying = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private final CountDownLatch challenged = new CountDownLatch(1);
    private final CommandInbox inbox = new CommandInbox(queue::poll, box, worker, new ReplayGuard("w1"), registration, new CommandInbox.Commands() {
        @Override
        public void challenge(Envelope.Header h, JoinChallenge c) {
            events.add("challenge " + c.challenge());
            challenged.countDown();
        }

        @Override
        public void joinReply(JoinReply reply) {
            events.add("join reply");
        }

        @Override
        public void command(Envelope.Header h, ToWorker message) {
            events.add("obeyed " + message.stepId());
            obeying.countDown();
            try {
                release.await(10, TimeUnit.SECONDS); // a slow command: building a step's lanes, say
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public boolean unverified(String wire) {
            return false;
        }
    });

    @AfterEach
    void stop() {
        release.countDown();
        inbox.stop();
    }

    private void fromCoordinator(ToWorker message) {
        queue.add(coordinator.seal("w1", worker.session(), message).wire());
    }

    @Test
    @Timeout(30)
    void droppingTheSession_waitsForTheCommandBeingObeyed_andTheSessionsNextCommandIsRefused() throws Exception {
        registration.challenged(coordinator.session(), EpochMicros.now());
        registration.admitted();
        inbox.start("w1");
        fromCoordinator(new AbortStep("r1", "s1", "first"));
        assertThat(obeying.await(10, TimeUnit.SECONDS)).as("the first command is being obeyed").isTrue();

        Thread watchdog = new Thread(() -> inbox.exclusive(() -> {
            events.add("session dropped");
            registration.cancel();
        }, 10_000), "test-watchdog");
        watchdog.start();
        awaitWaitingOrDone(watchdog);
        assertThat(watchdog.getState()).as("the drop waits for the command").isEqualTo(Thread.State.TIMED_WAITING);

        release.countDown();
        watchdog.join(TimeUnit.SECONDS.toMillis(10));
        fromCoordinator(new AbortStep("r1", "s2", "second")); // read after the drop: refused
        fromCoordinator(new JoinChallenge("", "", "marker", EpochMicros.now())); // handed on whatever the session: it shows the inbox got this far
        assertThat(challenged.await(10, TimeUnit.SECONDS)).as("the marker was read").isTrue();
        assertThat(events).containsExactly("obeyed s1", "session dropped", "challenge marker");
    }

    @Test
    @Timeout(30)
    void whileACommandIsObeyed_theInboxTellsItsSequenceNumber_andIsIdleOnceItIsDone() throws Exception {
        registration.challenged(coordinator.session(), EpochMicros.now());
        registration.admitted();
        assertThat(inbox.state()).isEqualTo(WorkerHeartbeat.InboxState.IDLE);
        inbox.start("w1");
        fromCoordinator(new AbortStep("r1", "s1", "first"));
        fromCoordinator(new AbortStep("r1", "s2", "second")); // waits behind the first: the coordinator would miss its acknowledgement
        assertThat(obeying.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(inbox.state().seq()).as("busy with the first message, not the one behind it").isEqualTo(1);

        release.countDown();
        fromCoordinator(new JoinChallenge("", "", "marker", EpochMicros.now()));
        assertThat(challenged.await(10, TimeUnit.SECONDS)).isTrue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (inbox.state().seq() != 0 && System.nanoTime() < deadline) Thread.onSpinWait(); // the marker's own check ends a moment later
        assertThat(inbox.state()).isEqualTo(WorkerHeartbeat.InboxState.IDLE);
    }

    @Test
    @Timeout(30)
    void aCommandThatDoesNotReturn_letsTheDropGiveUpInTime_withoutRunningIt_andTheNextDropRunsOnceItReturns() throws Exception {
        registration.challenged(coordinator.session(), EpochMicros.now());
        registration.admitted();
        inbox.start("w1");
        fromCoordinator(new AbortStep("r1", "s1", "stuck"));
        assertThat(obeying.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(inbox.exclusive(() -> events.add("dropped while stuck"), 50)).as("the inbox is busy past the wait").isFalse();
        release.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        boolean dropped = false;
        while (!dropped && System.nanoTime() < deadline) dropped = inbox.exclusive(() -> events.add("dropped"), 1_000);
        assertThat(dropped).isTrue();
        assertThat(events).containsExactly("obeyed s1", "dropped");
    }

    @Test
    @Timeout(30)
    void whileADropWaitsForTheInbox_theOldSessionsCommandsAreRefused_untilTheDropIsDone() throws Exception {
        registration.challenged(coordinator.session(), EpochMicros.now());
        registration.admitted();
        registration.dropping(); // the coordinator was lost while a command held the inbox: its drop is pending
        inbox.start("w1");
        fromCoordinator(new AbortStep("r1", "s1", "after the loss"));
        fromCoordinator(new JoinChallenge("", "", "marker", EpochMicros.now()));
        assertThat(challenged.await(10, TimeUnit.SECONDS)).as("the marker was read").isTrue();
        assertThat(events).containsExactly("challenge marker");
        assertThat(registration.cancel()).isTrue();
        assertThat(registration.isDropping()).as("the drop done").isFalse();
    }

    /** Waits (bounded) until the thread waits for the lock (with its time limit) or has finished. */
    private static void awaitWaitingOrDone(Thread t) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.getState() != Thread.State.TIMED_WAITING && t.getState() != Thread.State.TERMINATED && System.nanoTime() < deadline) Thread.onSpinWait();
    }
}
