package io.tokensiege.simulator.http;

import io.tokensiege.simulator.engine.TextGenerator;

/** The server-wide collaborators every {@link CompletionStream} writes with. */
record StreamServices(TextGenerator text, WriteBatcher batcher, WriteLag writeLag, ServedCounters served, ServerHabits habits, StreamStyle style) {
    StreamServices(TextGenerator text, WriteBatcher batcher, WriteLag writeLag, ServedCounters served, ServerHabits habits) {
        this(text, batcher, writeLag, served, habits, habits.streamStyle());
    }
}
