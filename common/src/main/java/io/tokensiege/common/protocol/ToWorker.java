package io.tokensiege.common.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** Every message a coordinator sends a worker. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = AssignStep.class, name = "assign_step"),
        @JsonSubTypes.Type(value = StartStep.class, name = "start_step"),
        @JsonSubTypes.Type(value = AbortStep.class, name = "abort_step"),
        @JsonSubTypes.Type(value = JoinReply.class, name = "join_reply"),
        @JsonSubTypes.Type(value = ClockPing.class, name = "clock_ping"),
        @JsonSubTypes.Type(value = JoinChallenge.class, name = "join_challenge"),
        @JsonSubTypes.Type(value = TraceChunk.class, name = "trace_chunk")})
public sealed interface ToWorker permits AssignStep, StartStep, AbortStep, JoinReply, ClockPing, JoinChallenge, TraceChunk {
    String runId();

    String stepId();
}
