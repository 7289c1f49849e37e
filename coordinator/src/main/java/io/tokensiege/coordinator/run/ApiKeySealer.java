package io.tokensiege.coordinator.run;

import io.tokensiege.common.protocol.SecretBox;
import io.tokensiege.common.protocol.StepSpec;

/** Reads a target's API key from the coordinator's environment and seals it for the workers: the key never travels in the clear. */
final class ApiKeySealer {
    private final SecretBox secrets;

    ApiKeySealer(SecretBox secrets) {
        this.secrets = secrets;
    }

    /** The sealed key, or null when the target names no {@code api_key_env}; an IllegalStateException when the variable is not set. */
    String seal(StepSpec step) {
        String env = step.target().apiKeyEnv();
        if (env == null) return null;
        String key = System.getenv(env);
        if (key == null || key.isBlank()) {
            throw new IllegalStateException("target '" + step.target().name() + "' names api_key_env " + env
                    + " but that environment variable is not set on the coordinator: export " + env + "=... and run again");
        }
        return secrets.seal(key);
    }
}
