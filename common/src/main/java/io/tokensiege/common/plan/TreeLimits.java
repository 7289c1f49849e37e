package io.tokensiege.common.plan;

import java.util.List;

/**
 * Bounds on a plan's tree, checked while it is built: nesting (a deep plan would exhaust the stack of
 * anything that walks it) and the number of values (a plan of a million list items fits in 1 MB). Real
 * plans nest 6 deep and hold a few hundred values; an extra_body with tool schemas a few hundred more.
 */
final class TreeLimits {
    static final int MAX_DEPTH = 32;
    static final int MAX_NODES = 20_000;

    private final String file;
    private int nodes;

    TreeLimits(String file) {
        this.file = file;
    }

    void enter(int depth, int line, int column, String path) throws PlanException {
        if (depth > MAX_DEPTH) {
            throw new PlanException(List.of(new PlanError(file, line, column, path, "the plan nests deeper than " + MAX_DEPTH + " levels",
                    "a plan needs a handful of levels; flatten this value")));
        }
        if (++nodes > MAX_NODES) {
            throw new PlanException(List.of(new PlanError(file, line, column, path, "the plan holds more than " + MAX_NODES + " values",
                    "a plan names a few targets, scenarios and load levels; shorten the lists")));
        }
    }
}
