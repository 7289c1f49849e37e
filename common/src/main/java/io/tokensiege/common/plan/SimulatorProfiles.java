package io.tokensiege.common.plan;

import java.util.List;

/**
 * The names of the simulator's built-in profiles. They live here, not in the simulator, so a plan's
 * {@code simulated.profile} is checked with the rest of the plan ({@code common} never imports the
 * simulator); the simulator's own test checks that every name has its profile resource.
 */
public final class SimulatorProfiles {
    public static final List<String> BUILT_IN = List.of("dense-26b", "moe-35b-a3b", "ollama-like", "omlx-stock", "omlx-tuned",
            "reasoning-ollama", "reasoning-vllm", "llama-cpp", "vllm");

    private SimulatorProfiles() {}
}
