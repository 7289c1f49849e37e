package io.tokensiege.worker.load;

import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.metric.RequestStamps;
import io.tokensiege.common.plan.Scenario;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.common.trace.TraceRecord;
import io.vertx.core.buffer.Buffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Turns a driver's "send request {@code seq} of {@code stream} now" into an {@link Exchange} on a lane: its body (plain,
 * a mixed step's part, a trace record, or the probe), its place in the lane's in-flight list, and the one end path it
 * reports to. Called on the lane's event loop.
 */
final class RequestIssuer {
    /** The part name of a mixed step's probe requests. */
    static final String PROBE = RequestRecord.Origin.PROBE;

    private final StepSpec step;
    private final RequestFactory requests;
    private final ExchangeSetting setting;
    private final Supplier<MeasurementWindow> window;
    private final BiConsumer<Lane, Exchange> onEnd;
    private final AtomicInteger started = new AtomicInteger();

    RequestIssuer(StepSpec step, RequestFactory requests, ExchangeSetting setting, Supplier<MeasurementWindow> window, BiConsumer<Lane, Exchange> onEnd) {
        this.step = step;
        this.requests = requests;
        this.setting = setting;
        this.window = window;
        this.onEnd = onEnd;
    }

    /** Sends request {@code seq} of {@code stream} on {@code lane}. */
    void issue(Lane lane, int stream, int seq, int turn, boolean measured, long intendedNanos) {
        Exchange ex = exchange(lane, stream, seq, turn, measured, intendedNanos);
        if (step.mix() == null) {
            start(ex, lane, requests.body(stream, seq));
            return;
        }
        Scenario.Mix.Part part = requests.part(stream, seq);
        ex.stamps.part = part.name();
        ex.stamps.maxTokens = part.maxTokens();
        start(ex, lane, requests.body(part, stream, seq));
    }

    /**
     * Sends a trace record as recorded (its messages, tools and max_tokens), reported under its scenario group; a
     * session's turn also names its session ({@code unit}, numbered on this worker).
     */
    void issue(Lane lane, int stream, int seq, int unit, TraceRecord record, boolean measured, long intendedNanos) {
        Exchange ex = exchange(lane, stream, seq, record.turn(), measured, intendedNanos);
        ex.stamps.part = record.scenario();
        if (record.session() != null) ex.stamps.agent = new RequestRecord.AgentTurn(unit, record.turn(), false, 0, null, false, record.messages().size());
        ex.stamps.maxTokens = record.maxTokens() != null ? record.maxTokens() : step.maxTokens();
        start(ex, lane, requests.body(record));
    }

    /** A mixed step's probe request: a short cold prompt beside the load, recorded as part "probe", kept out of the step's histograms. */
    void issueProbe(Lane lane, int seq, boolean measured) {
        Exchange ex = exchange(lane, -1, seq, 0, measured, RequestStamps.NONE);
        ex.stamps.part = PROBE;
        ex.stamps.maxTokens = step.mix().probe().maxTokens();
        start(ex, lane, requests.probeBody(step.mix().probe(), seq));
    }

    /** A request of this step, not yet sent: a driver that needs it (agent sessions) sets it up before {@link #start}. */
    Exchange exchange(Lane lane, int stream, int seq, int turn, boolean measured, long intendedNanos) {
        started.incrementAndGet();
        Exchange ex = new Exchange(setting, lane, window.get(), stream, seq, turn, measured, intendedNanos, e -> onEnd.accept(lane, e));
        ex.stamps.maxTokens = requests.maxTokens();
        return ex;
    }

    void start(Exchange ex, Lane lane, Buffer body) {
        lane.inFlight.add(ex);
        ex.start(requests.options(), body);
    }

    RequestFactory requests() {
        return requests;
    }

    /** Requests issued so far, from any lane. */
    int started() {
        return started.get();
    }
}
