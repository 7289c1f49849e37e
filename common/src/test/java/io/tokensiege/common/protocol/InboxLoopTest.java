package io.tokensiege.common.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class InboxLoopTest {
    @Test
    @Timeout(30)
    void aMessageTheHandlerRefuses_isReported_andTheNextOneIsStillRead_inOrder() throws Exception {
        LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>(List.of("a", "bad", "b"));
        List<String> handled = new CopyOnWriteArrayList<>();
        List<String> refused = new CopyOnWriteArrayList<>();
        CountDownLatch twoHandled = new CountDownLatch(2);
        try (InboxLoop loop = InboxLoop.start("test-inbox", queue::poll, wire -> {
            if (wire.equals("bad")) throw new IllegalArgumentException("cannot read 'bad'");
            handled.add(wire);
            twoHandled.countDown();
        }, e -> refused.add(e.getMessage()))) {
            assertThat(twoHandled.await(20, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(handled).containsExactly("a", "b");
        assertThat(refused).containsExactly("cannot read 'bad'");
    }

    @Test
    @Timeout(30)
    void closed_itsThreadEndsWithinAPoll_andLeavesLaterMessagesInTheQueue() throws Exception {
        LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
        InboxLoop loop = InboxLoop.start("test-inbox-closing", queue::poll, wire -> {}, e -> {});
        Thread reader = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("test-inbox-closing")).findFirst().orElseThrow();
        loop.close();
        reader.join(10 * InboxLoop.POLL_MILLIS);
        assertThat(reader.isAlive()).as("the reading thread is still alive after close").isFalse();
        queue.add("later");
        assertThat(queue).containsExactly("later");
    }
}
