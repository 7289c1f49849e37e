package io.tokensiege.common.plan;

import java.util.List;
import java.util.stream.Collectors;

/** A plan that failed validation, with every error found (not just the first). */
public final class PlanException extends Exception {
    private final List<PlanError> errors;

    public PlanException(List<PlanError> errors) {
        super(errors.size() + " error(s) in plan:\n" + errors.stream().map(e -> "  " + e).collect(Collectors.joining("\n")));
        this.errors = List.copyOf(errors);
    }

    public List<PlanError> errors() {
        return errors;
    }
}
