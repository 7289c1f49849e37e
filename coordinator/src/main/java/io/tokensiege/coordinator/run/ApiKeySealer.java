package io.tokensiege.coordinator.run;

import io.tokensiege.common.plan.ApiKeyEnvRule;
import io.tokensiege.common.plan.Target;
import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.protocol.StepSpec;
import java.util.function.UnaryOperator;

/** Reads a target's API key from the coordinator's environment and seals it for the workers: the key never travels in the clear. */
final class ApiKeySealer {
    private final SecretBox secrets;
    private final UnaryOperator<String> environment;

    ApiKeySealer(SecretBox secrets) {
        this(secrets, System::getenv);
    }

    ApiKeySealer(SecretBox secrets, UnaryOperator<String> environment) {
        this.secrets = secrets;
        this.environment = environment;
    }

    /** The sealed key, or null when the target names no {@code api_key_env}; an IllegalStateException when the variable is unset or unsendable. */
    String seal(StepSpec step) {
        String key = key(step.target());
        return key == null ? null : secrets.seal(key);
    }

    /** Null when the target's key can be sent (or it has none), else why not: checked before the first question to any server. */
    String problem(Target target) {
        try {
            key(target);
            return null;
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
    }

    private String key(Target target) {
        String env = target.apiKeyEnv();
        if (env == null) return null;
        String raw = environment.apply(env);
        if (raw == null) {
            throw new IllegalStateException("target '" + target.name() + "' names api_key_env " + env
                    + " but that environment variable is not set on the coordinator: export " + env + "=... and run again");
        }
        String key = ApiKeyEnvRule.asSent(raw);
        if (key.isBlank()) {
            throw new IllegalStateException("target '" + target.name() + "' names api_key_env " + env
                    + " but that environment variable is empty on the coordinator: export " + env + "=THE_KEY and run again");
        }
        String problem = ApiKeyEnvRule.valueProblem(env, key);
        if (problem != null) throw new IllegalStateException("target '" + target.name() + "': " + problem);
        return key;
    }
}
