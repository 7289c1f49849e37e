package io.tokensiege.worker.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.worker.record.StepRecorder;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpConnectOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class LaneTest {
    @Test
    @Timeout(30)
    void theLanesOfAStep_runOnDifferentEventLoopThreads_oneCoreEach() throws Exception {
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(4));
        try {
            List<io.netty.channel.EventLoop> loops = Lane.eventLoops(vertx);
            assertThat(loops).hasSize(4);
            StepRecorder recorder = new StepRecorder();
            Set<String> threads = ConcurrentHashMap.newKeySet();
            List<CompletableFuture<Void>> ran = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                // as StepRunner builds them: each lane also builds an HTTP client, which once shifted a round-robin
                Lane lane = new Lane(vertx, loops.get(i % loops.size()), 60, new HttpConnectOptions().setHost("127.0.0.1").setPort(1),
                        new ConnectionHabits(false), recorder.newLane());
                CompletableFuture<Void> done = new CompletableFuture<>();
                lane.context.runOnContext(v -> {
                    threads.add(Thread.currentThread().getName());
                    done.complete(null);
                });
                ran.add(done);
            }
            CompletableFuture.allOf(ran.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
            assertThat(threads).hasSize(4);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
        }
    }
}
