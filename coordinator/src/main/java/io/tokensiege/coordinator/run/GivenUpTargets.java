package io.tokensiege.coordinator.run;

import io.tokensiege.common.analysis.Refused;
import io.tokensiege.common.analysis.Tokenless;
import io.tokensiege.common.analysis.Unanswered;
import io.tokensiege.common.metric.RequestRecord;
import io.tokensiege.common.plan.Target;
import io.tokensiege.common.protocol.StepFinished;
import io.tokensiege.common.protocol.StepSpec;
import io.tokensiege.coordinator.event.Failure;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Targets given up on, because they answered nothing in a whole step, refused every request of one, or answered and then
 * streamed no token in any: their remaining steps are not run.
 */
final class GivenUpTargets {
    private final Set<String> names = new HashSet<>();
    /** Targets that answered a request with success in an earlier step: a refusal then is no wrong key, but a quota, a lockout or a firewall. */
    private final Set<String> answeredBefore = new HashSet<>();

    boolean contains(String targetName) {
        return names.contains(targetName);
    }

    /**
     * A step in which the target answered not one request (measured or not), and at least one waited out its own timeout (or
     * none could connect), or refused every one as unauthorised or forbidden, names the target as the cause, and the target's
     * remaining steps are skipped: each would wait out the same timeouts, or be refused the same way, and measure nothing.
     * Returns that failure, or empty when the target answered.
     */
    Optional<Failure> check(StepSpec step, Collection<StepFinished> shares) {
        List<RequestRecord> sent = shares.stream().flatMap(f -> f.records().stream()).toList();
        Target target = step.target();
        String who = "target '" + target.name() + "' (" + target.url() + ") ";
        String skipped = " in step " + step.stepId() + "; its remaining steps are skipped";
        boolean answered = answeredBefore.contains(target.name());
        if (sent.stream().anyMatch(r -> r.outcome().httpStatus() / 100 == 2)) answeredBefore.add(target.name());
        Optional<Failure> refused = Refused.of(sent).map(r -> Failure.of(Failure.Kind.TARGET_REFUSED, false, step.stepId(), null,
                who + r.describe() + skipped + ": " + (answered ? "it answered earlier steps, so the key worked: a quota, a lockout, an IP"
                        + " allow-list or a firewall?" : r.status() == 403 ? accessAdvice(target) : keyAdvice(target))));
        if (refused.isPresent()) {
            names.add(target.name());
            return refused;
        }
        Optional<Failure> tokenless = Tokenless.of(sent, target.timeScale()).map(t -> Failure.of(Failure.Kind.TARGET_SILENT, false, step.stepId(), null,
                who + t.describe() + skipped + ": is the model loaded and generating (the server's log says; one that loads for longer needs a longer"
                        + " timeouts.first_token), and does it stream chat completions as OpenAI does (data: {\"choices\":[{\"delta\":{\"content\":...}}]})?"));
        if (tokenless.isPresent()) {
            names.add(target.name());
            return tokenless;
        }
        return Unanswered.of(sent, target.timeScale()).filter(Unanswered::conclusive).map(u -> {
            names.add(target.name());
            if (u.unreachable()) return Failure.of(Failure.Kind.TARGET_UNREACHABLE, false, step.stepId(), null, who + u.describe() + skipped
                    + (u.tlsOnly() ? ": does the server speak plain HTTP? Then its url starts with http://, not https://"
                            : ": is the server running and reachable from the workers?"));
            return Failure.of(Failure.Kind.TARGET_SILENT, false, step.stepId(), null, who + u.describe() + skipped
                    + ": is it overloaded, stuck, or not an OpenAI-compatible server?");
        });
    }

    /** A 403 from the start: the key may be right and still not allowed here. */
    private static String accessAdvice(Target target) {
        return "the server denied access: " + (target.apiKeyEnv() == null ? "does it want a key (api_key_env)" : "is the key in " + target.apiKeyEnv()
                + " allowed this model and endpoint") + ", or does an IP allow-list or a firewall stand in front of it?";
    }

    /** What to check after a 401, from how the target sends its key. */
    private static String keyAdvice(Target target) {
        if (target.apiKeyEnv() == null) return "the server wants a key; put it in an environment variable and name that with api_key_env";
        String sent = target.apiKeyHeader() == null ? "Authorization: Bearer" : "header " + target.apiKeyHeader();
        return "is the key in " + target.apiKeyEnv() + " the server's, and does the server read it from " + sent + "?"
                + (target.apiKeyHeader() == null ? " (a gateway that reads another header: set api_key_header, e.g. api-key or x-api-key)" : "");
    }
}
