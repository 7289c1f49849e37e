package io.tokensiege.simulator.profile;

import io.tokensiege.simulator.engine.EngineConfig;

/**
 * A named simulated server: which model it serves, how its engine behaves and which faults it
 * injects. Every number in a profile is simulated, chosen to reproduce the shape of the
 * measurements in CONTEXT.md, never a measurement itself.
 */
public record Profile(String name, String description, String model, long seed, EngineConfig engine, FaultConfig faults) {
    public Profile {
        if (faults == null) faults = FaultConfig.NONE;
    }

    public Profile withFaults(FaultConfig newFaults) {
        return new Profile(name, description, model, seed, engine, newFaults);
    }
}
