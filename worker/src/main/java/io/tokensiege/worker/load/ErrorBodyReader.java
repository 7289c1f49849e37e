package io.tokensiege.worker.load;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientResponse;

/**
 * Reads at most {@code maxBytes} of an error response's body (its status classifies it, its text explains it) and hands the
 * text over once: at the body's end, when the connection breaks, or as soon as the body outgrows the bound.
 */
final class ErrorBodyReader {
    /** The body's text; {@code cut} when it outgrew the bound, {@code complete} when the response ended properly. */
    interface Done {
        void accept(String text, boolean cut, boolean complete);
    }

    private final Buffer text = Buffer.buffer();
    private final int maxBytes;
    private final Done done;
    private boolean finished;

    private ErrorBodyReader(int maxBytes, Done done) {
        this.maxBytes = maxBytes;
        this.done = done;
    }

    static void read(HttpClientResponse response, int maxBytes, Runnable onActivity, Done done) {
        ErrorBodyReader reader = new ErrorBodyReader(maxBytes, done);
        response.handler(b -> {
            onActivity.run();
            reader.append(b);
        });
        response.exceptionHandler(t -> reader.finish(false, false));
        response.endHandler(v -> reader.finish(false, true));
    }

    private void append(Buffer b) {
        if (finished) return;
        int room = maxBytes - text.length();
        text.appendBuffer(b.length() <= room ? b : b.slice(0, Math.max(0, room)));
        if (b.length() > room) finish(true, false);
    }

    private void finish(boolean cut, boolean complete) {
        if (finished) return;
        finished = true;
        done.accept(text.toString(), cut, complete);
    }
}
