package io.tokensiege.simulator.profile;

import io.tokensiege.simulator.engine.EngineConfig;

/**
 * A named simulated server: which model it serves, whose HTTP habits it has, how its engine behaves,
 * which faults it injects and what it does with tools. Every number in a profile is simulated, chosen to
 * reproduce the shape of the measurements in docs/context.md, never a measurement itself.
 */
public record Profile(String name, String description, String model, long seed, ServerConfig server, EngineConfig engine, FaultConfig faults,
                      ToolConfig tools) {
    public Profile {
        if (server == null) server = ServerConfig.OPENAI_DEFAULT;
        if (faults == null) faults = FaultConfig.NONE;
        if (tools == null) tools = ToolConfig.IGNORE;
        String fixed = server.personality().reasoningField();
        if (fixed != null && engine != null && engine.reasoningTokens() > 0 && !fixed.equals(engine.reasoningField())) {
            throw new IllegalArgumentException("engine.reasoning_field '" + engine.reasoningField() + "' contradicts server.personality '"
                    + server.personality().label() + "', which streams reasoning in '" + fixed + "': set reasoning_field: " + fixed
                    + ", or use personality openai to choose the field freely");
        }
    }

    /** A plain OpenAI-compatible server (benchmarks and tests that build profiles in code). */
    public Profile(String name, String description, String model, long seed, EngineConfig engine, FaultConfig faults) {
        this(name, description, model, seed, ServerConfig.OPENAI_DEFAULT, engine, faults, ToolConfig.IGNORE);
    }

    public Profile withFaults(FaultConfig newFaults) {
        return new Profile(name, description, model, seed, server, engine, newFaults, tools);
    }

    /** The delta field reasoning tokens stream in: the personality's own, or the engine's choice for openai. */
    public String reasoningField() {
        String fixed = server.personality().reasoningField();
        return fixed != null ? fixed : engine.reasoningField();
    }
}
