package io.tokensiege.common.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** Every message a worker sends the coordinator; each names run, step and worker. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = WorkerReady.class, name = "worker_ready"),
        @JsonSubTypes.Type(value = IntervalSnapshot.class, name = "interval_snapshot"),
        @JsonSubTypes.Type(value = StepFinished.class, name = "step_finished"),
        @JsonSubTypes.Type(value = RecordChunk.class, name = "record_chunk"),
        @JsonSubTypes.Type(value = WorkerFailed.class, name = "worker_failed"),
        @JsonSubTypes.Type(value = WorkerHello.class, name = "worker_hello"),
        @JsonSubTypes.Type(value = ClockPong.class, name = "clock_pong"),
        @JsonSubTypes.Type(value = JoinAnswer.class, name = "join_answer"),
        @JsonSubTypes.Type(value = CommandAck.class, name = "command_ack"),
        @JsonSubTypes.Type(value = WorkerHeartbeat.class, name = "worker_heartbeat")})
public sealed interface ToCoordinator permits WorkerReady, IntervalSnapshot, StepFinished, RecordChunk, WorkerFailed, WorkerHello, ClockPong, JoinAnswer,
        CommandAck, WorkerHeartbeat {
    String runId();

    String stepId();

    String workerId();
}
