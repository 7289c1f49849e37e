package io.tokensiege.deploy;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

/** The Vert.x instances of the launcher: one event loop per core, epoll where the platform has it. */
final class Vertxes {
    private Vertxes() {}

    static Vertx create() {
        return Vertx.vertx(options());
    }

    static VertxOptions options() {
        return new VertxOptions().setPreferNativeTransport(true) // falls back to NIO silently off Linux
                .setEventLoopPoolSize(Math.max(2, Runtime.getRuntime().availableProcessors()));
    }
}
