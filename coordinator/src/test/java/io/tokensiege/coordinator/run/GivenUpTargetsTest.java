package io.tokensiege.coordinator.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.plan.Target;
import io.tokensiege.common.plan.Timeouts;
import io.tokensiege.common.protocol.StepFinished;
import io.tokensiege.common.protocol.StepKind;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.coordinator.event.Failure;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A target that refuses every request, or answers none, is given up on, and the failure says what to check. */
class GivenUpTargetsTest {
    private final GivenUpTargets givenUp = new GivenUpTargets();

    @Test
    void aStepRefusedWhole_givesUpTheTarget_andSaysHowTheKeyWasSent() {
        Target gateway = new Target("gw", "http://h:1/v1", "m", "GW_KEY", Map.of(), Map.of(), null);
        Optional<Failure> f = givenUp.check(step(gateway), List.of(share(answered(401, "authentication: Invalid API Key"), answered(403, null),
                cancelledUnanswered())));
        assertThat(f).get().satisfies(failure -> {
            assertThat(failure.kind()).isEqualTo(Failure.Kind.TARGET_REFUSED);
            assertThat(failure.message()).isEqualTo("target 'gw' (http://h:1/v1) refused all 2 requests with HTTP 401 (authentication: Invalid API Key)"
                    + " in step s1; its remaining steps are skipped: is the key in GW_KEY the server's, and does the server read it from"
                    + " Authorization: Bearer? (a gateway that reads another header: set api_key_header, e.g. api-key or x-api-key)");
        });
        assertThat(givenUp.contains("gw")).isTrue();
        assertThat(givenUp.contains("other")).isFalse();
    }

    @Test
    void aRefusal_namesTheKeysOwnHeader_orTheMissingKey() {
        Target azure = new Target("az", "http://h:1/v1", "m", "GW_KEY", "api-key", Map.of(), Map.of(), null);
        assertThat(givenUp.check(step(azure), List.of(share(answered(401, null)))).orElseThrow().message())
                .endsWith("refused the one request with HTTP 401 in step s1; its remaining steps are skipped: is the key in GW_KEY the server's,"
                        + " and does the server read it from header api-key?");
        Target keyless = new Target("open", "http://h:1/v1", "m", null, Map.of(), Map.of(), null);
        assertThat(givenUp.check(step(keyless), List.of(share(answered(401, null)))).orElseThrow().message())
                .endsWith("the server wants a key; put it in an environment variable and name that with api_key_env");
    }

    @Test
    void a403_asksAboutAccess_andARefusalAfterAnsweredSteps_aboutQuotasAndFirewalls() {
        Target t = new Target("t", "http://h:1/v1", "m", "GW_KEY", Map.of(), Map.of(), null);
        assertThat(givenUp.check(step(t), List.of(share(answered(403, null)))).orElseThrow().message())
                .endsWith("the server denied access: is the key in GW_KEY allowed this model and endpoint, or does an IP allow-list or a firewall"
                        + " stand in front of it?");
        Target quota = new Target("q", "http://h:1/v1", "m", "GW_KEY", Map.of(), Map.of(), null);
        assertThat(givenUp.check(step(quota), List.of(share(answered(200, null))))).isEmpty();
        assertThat(givenUp.check(step(quota), List.of(share(answered(403, "quota exceeded"))))).get().satisfies(f ->
                assertThat(f.message()).contains("refused the one request with HTTP 403 (quota exceeded)")
                        .endsWith("it answered earlier steps, so the key worked: a quota, a lockout, an IP allow-list or a firewall?"));
    }

    @Test
    void aStepWhoseEndCancelledEverything_isNoRefusal() {
        Target t = new Target("t", "http://h:1/v1", "m", "GW_KEY", Map.of(), Map.of(), null);
        assertThat(givenUp.check(step(t), List.of(share(cancelledUnanswered(), cancelledUnanswered())))).isEmpty();
        assertThat(givenUp.contains("t")).isFalse();
    }

    @Test
    void oneAnsweredRequest_orOtherErrors_giveNothingUp() {
        Target t = new Target("t", "http://h:1/v1", "m", "GW_KEY", Map.of(), Map.of(), null);
        assertThat(givenUp.check(step(t), List.of(share(answered(401, null)), share(answered(200, null))))).isEmpty();
        assertThat(givenUp.check(step(t), List.of(share(answered(401, null), answered(429, "rate limited"))))).isEmpty();
        assertThat(givenUp.check(step(t), List.of(share()))).isEmpty();
        assertThat(givenUp.contains("t")).isFalse();
    }

    @Test
    void aStepAnsweredNot_atAll_withATimeout_isStillSilent() {
        Target t = new Target("t", "http://h:1/v1", "m", null, Map.of(), Map.of(), null);
        RequestRecord timedOut = record(0, "timeout_first_token", null, 5_000_000L);
        assertThat(givenUp.check(step(t), List.of(share(timedOut))).orElseThrow().kind()).isEqualTo(Failure.Kind.TARGET_SILENT);
        assertThat(givenUp.contains("t")).isTrue();
    }

    @Test
    void aServerThatAnswers200_andThenStreamsNoToken_isGivenUp_afterItsRequestsTimedOut() {
        Target t = new Target("t", "http://h:1/v1", "m", null, Map.of(), Map.of(), null);
        RequestRecord keepAliveOnly = record(200, "timeout_total", "no end after 120000 ms", 120_000_000L);
        Failure f = givenUp.check(step(t), List.of(share(keepAliveOnly, keepAliveOnly, cancelledUnanswered()))).orElseThrow();
        assertThat(f.kind()).isEqualTo(Failure.Kind.TARGET_SILENT);
        assertThat(f.message()).startsWith("target 't' (http://h:1/v1) answered all 2 requests with a success status but streamed no token in any:"
                + " timeout_total after 120.0 s in step s1; its remaining steps are skipped: is the model loaded and generating");
        assertThat(givenUp.contains("t")).isTrue();
        // One request with a token, or one cut by the step's end alone, is no such proof.
        GivenUpTargets fresh = new GivenUpTargets();
        assertThat(fresh.check(step(t), List.of(share(keepAliveOnly, answered(200, null))))).isEmpty();
        assertThat(fresh.check(step(t), List.of(share(cancelledUnanswered())))).isEmpty();
    }

    @Test
    void anHttpsUrlToAPlainHttpServer_isUnreachable_andSaysSo() {
        Target t = new Target("t", "https://h:1/v1", "m", null, Map.of(), Map.of(), null);
        RequestRecord handshake = record(0, "connect", "SSLHandshakeException: Unsupported or unrecognized SSL message", 3_000L);
        Failure f = givenUp.check(step(t), List.of(share(handshake, handshake))).orElseThrow();
        assertThat(f.kind()).isEqualTo(Failure.Kind.TARGET_UNREACHABLE);
        assertThat(f.message()).contains("could not be reached over TLS: all 2 requests failed in the TLS handshake")
                .endsWith(": does the server speak plain HTTP? Then its url starts with http://, not https://");
    }

    private static StepSpec step(Target target) {
        return new StepSpec("s1", 0, StepKind.CLOSED, target, "sweep", 2, 1, 0, 30_000, 0, 0, 100, 0, 64, true, 0, List.of(), Timeouts.DEFAULT, 1, "n",
                null, null, null);
    }

    private static StepFinished share(RequestRecord... records) {
        return new StepFinished("run", "s1", "w1", null, List.of(records), false);
    }

    private static RequestRecord answered(int status, String reason) {
        return status == 200 ? record(200, null, null, 1_000_000L) : record(status, "http_4xx", reason, 2_000L);
    }

    /** A request the step's end cancelled before any answer came. */
    private static RequestRecord cancelledUnanswered() {
        RequestRecord r = record(0, null, null, 900_000L);
        return new RequestRecord(r.origin(), r.measured(), new RequestRecord.Times(0, null, null, null, null, null, 900_000L, null, null), r.tokens(),
                new RequestRecord.Outcome(null, null, null, null, 0, true), r.answer(), null, null, null);
    }

    private static RequestRecord record(int status, String error, String reason, long e2eMicros) {
        boolean ok = error == null;
        return new RequestRecord(new RequestRecord.Origin("sweep", "w1", 0, 0, 0, null),
                true,
                new RequestRecord.Times(0, null, ok ? 1_000L : null, ok ? 1_000L : null, ok ? 1_000L : null, status > 0 ? 500L : null, e2eMicros,
                        ok ? 10L : null, ok ? 50.0 : null),
                new RequestRecord.Tokens(ok ? 10 : 0, null, ok ? 10 : 0, null, 0, ok ? 10 : 0, 0, 100, null, ok ? 10 : null),
                new RequestRecord.Outcome(ok ? "length" : null, error, reason, reason, status, false),
                new RequestRecord.Answer(null, 0, ""),
                null, null, null);
    }
}
