package io.tokensiege.simulator.tools;

import io.tokensiege.simulator.engine.ToolCall;
import java.util.List;

/**
 * The tool call a request is answered with, fixed before the engine runs: the first answer token streams
 * the call's id and name, each later one the next argument fragment.
 *
 * @param arguments the whole arguments text (the fragments joined)
 * @param malformed the arguments are deliberately not valid JSON
 */
public record PlannedCall(String id, String name, String arguments, List<String> fragments, boolean malformed) {
    public PlannedCall {
        fragments = List.copyOf(fragments);
    }

    /** Answer tokens the call takes: the name, then one per fragment. */
    public int tokens() {
        return 1 + fragments.size();
    }

    public ToolCall asToolCall() {
        return new ToolCall(id, name, arguments);
    }
}
