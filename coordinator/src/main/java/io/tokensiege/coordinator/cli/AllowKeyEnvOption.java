package io.tokensiege.coordinator.cli;

import io.tokensiege.common.plan.ApiKeyEnvRule;
import io.tokensiege.common.plan.PlanOptions;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code --allow-key-env NAME}, repeatable, on every command that checks plans: lets a plan's
 * {@code api_key_env} name a variable that does not look like a key variable. Whoever starts tokensiege
 * decides, never the plan; a {@code TOKENSIEGE_*} name is refused as the option is parsed.
 */
public final class AllowKeyEnvOption {
    @Option(names = "--allow-key-env", paramLabel = "NAME", converter = KeyEnvName.class,
            description = "Let a plan's api_key_env name this variable although it does not end in _API_KEY, _KEY or _TOKEN (repeatable; never TOKENSIEGE_*).")
    List<String> names = new ArrayList<>();

    public PlanOptions planOptions() {
        return PlanOptions.allowingKeyEnvs(names);
    }

    /** Refuses an unusable name while the command line is parsed, so the error names the option. */
    static final class KeyEnvName implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            String problem = ApiKeyEnvRule.allowanceProblem(value);
            if (problem != null) throw new CommandLine.TypeConversionException(problem);
            return value;
        }
    }
}
