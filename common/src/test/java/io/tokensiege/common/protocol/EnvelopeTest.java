package io.tokensiege.common.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tokensiege.common.json.Json;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Signed envelopes and the receiver's replay guard: every rule refuses what it should, and only that. */
class EnvelopeTest {
    private static final long MAX_AGE_MICROS = 30_000_000;
    private final SecretBox box = new SecretBox("envelope-test-token-0123456789");
    private final MessageSigner coordinator = new MessageSigner(box, "coordinator");
    private final String workerSession = MessageSigner.randomId();
    private final AtomicLong now = new AtomicLong(EpochMicros.now());
    private final ReplayGuard worker = new ReplayGuard("w1", MAX_AGE_MICROS, now::get);

    private Envelope.Opened receive(String wire) {
        Envelope.Opened o = Envelope.open(box, wire);
        worker.accept(o.header(), workerSession, false, 0, true);
        return o;
    }

    private String start(long seq, long issuedMicros) {
        var h = new Envelope.Header("coordinator", coordinator.session(), "w1", workerSession, seq, issuedMicros, MessageSigner.randomId());
        return Envelope.seal(box, h, new StartStep("r", "s", 1));
    }

    @Test
    void aSealedMessage_opensOnce_withItsBody() {
        String wire = coordinator.seal("w1", workerSession, new StartStep("r", "s1", 42)).wire();
        Envelope.Opened o = receive(wire);
        assertThat(ProtocolCodec.decodeToWorker(o.body())).isEqualTo(new StartStep("r", "s1", 42));
        assertThat(o.header().from()).isEqualTo("coordinator");
    }

    @Test
    void aReplayedMessage_isRefused_evenWhileFresh() {
        String wire = coordinator.seal("w1", workerSession, new StartStep("r", "s1", 42)).wire();
        receive(wire);
        assertThatThrownBy(() -> receive(wire)).isInstanceOf(SecurityException.class).hasMessageContaining("replayed");
    }

    @Test
    void aStaleMessage_isRefused_andOneFromTheFutureToo() {
        assertThatThrownBy(() -> receive(start(1, now.get() - MAX_AGE_MICROS - 1_000_000))).hasMessageContaining("stale: issued 31 s ago");
        assertThatThrownBy(() -> receive(start(2, now.get() + MAX_AGE_MICROS + 1_000_000))).hasMessageContaining("in the future");
        receive(start(3, now.get() - MAX_AGE_MICROS + 1_000_000)); // just inside the window
    }

    @Test
    void theAgeRule_allowsForTheSendersMeasuredClockOffset() {
        long aheadMicros = 3_600_000_000L; // the sender's clock runs an hour ahead, and we measured it
        String wire = start(1, now.get() + aheadMicros);
        Envelope.Opened o = Envelope.open(box, wire);
        assertThatThrownBy(() -> worker.accept(o.header(), workerSession, false, 0, true)).hasMessageContaining("in the future");
        worker.accept(o.header(), workerSession, false, aheadMicros, true);
    }

    @Test
    void aMessageOutOfOrder_isRefused_evenWithAFreshNonce() {
        receive(start(7, now.get()));
        assertThatThrownBy(() -> receive(start(5, now.get()))).hasMessageContaining("out of order: sequence 5 from coordinator after 7");
        assertThatThrownBy(() -> receive(start(7, now.get()))).hasMessageContaining("out of order");
        receive(start(8, now.get()));
    }

    @Test
    void sequencesAreCountedPerSenderSession_soARestartedSenderStartsAfresh() {
        receive(start(9, now.get()));
        coordinator.newSession();
        receive(start(1, now.get()));
    }

    @Test
    void aMessageForAnotherWorker_orAnEarlierSession_orAnySession_isRefused() {
        assertThatThrownBy(() -> receive(coordinator.seal("w2", workerSession, new StartStep("r", "s", 1)).wire()))
                .hasMessageContaining("addressed to 'w2', not to 'w1'");
        assertThatThrownBy(() -> receive(coordinator.seal("w1", "an-earlier-session", new StartStep("r", "s", 1)).wire()))
                .hasMessageContaining("another session");
        assertThatThrownBy(() -> receive(coordinator.seal("w1", Envelope.ANY_SESSION, new StartStep("r", "s", 1)).wire()))
                .hasMessageContaining("any session");
        var hello = Envelope.open(box, coordinator.seal("w1", Envelope.ANY_SESSION, new StartStep("r", "s", 1)).wire());
        worker.accept(hello.header(), workerSession, true, 0, false); // what a coordinator does for a hello
    }

    @Test
    void tamperingWithTheBodyOrAnyHeaderField_breaksTheSignature() {
        String wire = coordinator.seal("w1", workerSession, new StartStep("r", "s1", 42)).wire();
        var tree = (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.valueToTree(Json.read(wire, com.fasterxml.jackson.databind.JsonNode.class));
        for (String field : new String[] {"seq", "issued_micros", "to", "to_session", "from_session", "nonce"}) {
            var copy = tree.deepCopy();
            var header = (com.fasterxml.jackson.databind.node.ObjectNode) copy.get("header");
            if (header.get(field).isNumber()) header.put(field, header.get(field).asLong() + 1);
            else header.put(field, header.get(field).asText() + "x");
            assertThatThrownBy(() -> Envelope.open(box, Json.write(copy))).as(field).hasMessageContaining("bad signature");
        }
        var body = tree.deepCopy();
        body.put("body", body.get("body").asText().replace("42", "43"));
        assertThatThrownBy(() -> Envelope.open(box, Json.write(body))).hasMessageContaining("bad signature");
        assertThatThrownBy(() -> Envelope.open(new SecretBox("another-token-0123456789"), wire)).hasMessageContaining("bad signature");
        assertThatThrownBy(() -> Envelope.open(box, "{\"body\":\"{}\"}")).hasMessageContaining("unsigned");
        assertThatThrownBy(() -> Envelope.open(box, "not json")).hasMessageContaining("not a tokensiege envelope");
    }

    @Test
    void theSequenceGrows_andEveryNonceIsNew() {
        var a = coordinator.seal("w1", workerSession, new StartStep("r", "s", 1));
        var b = coordinator.seal("w1", workerSession, new StartStep("r", "s", 1));
        assertThat(b.seq()).isGreaterThan(a.seq());
        assertThat(Envelope.unverifiedHeader(a.wire()).nonce()).isNotEqualTo(Envelope.unverifiedHeader(b.wire()).nonce());
    }
}
