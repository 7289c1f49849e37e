package io.tokensiege.common.protocol;

/** How a step issues requests. */
public enum StepKind {
    /** Unmeasured requests before a target's first step (load the model, open connections). */
    WARMUP,
    /** N independent requests, one after another. */
    SEQUENTIAL,
    /** N turns sharing one agent prefix, one after another; turn 1 is cold, the rest warm. */
    TURNS,
    /** Closed loop: C streams, each sending its next request when the previous ends. */
    CLOSED,
    /** Open loop: requests arrive on a schedule at a rate, whatever the server's answers do. */
    OPEN,
    /**
     * Agent sessions: S conversations at once, each sending its turns with the whole history so far (the server's
     * replies, tool calls and their results), starting anew after its last turn.
     */
    SESSIONS
}
